/*
 * Who made a seal: the organisation names and unified social credit codes
 * (统一社会信用代码, GB 32100-2015) a signer's certificate subject carries,
 * and the committee's rule signer=TEXT (seal verify --require-signer) that
 * holds them against the bidder it expects.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "reportint.h"

#include <openssl/err.h>
#include <openssl/objects.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z); the
 * last is a check character over the first 17, weights 3^(i-1) mod 31. */
static const char code_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int code_value(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    const char *p = c ? strchr(code_alphabet, c) : NULL;
    return p ? (int)(p - code_alphabet) : -1;
}

SEAL_API char seal_credit_code_check(const char *text)
{
    static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int sum = 0;

    if (!text || strlen(text) != 18)
        return 0;
    for (int i = 0; i < 18; i++)
        if (code_value(text[i]) < 0)
            return 0;
    for (int i = 0; i < 17; i++)
        sum += code_value(text[i]) * weights[i];
    return code_alphabet[(31 - sum % 31) % 31];
}

static int is_credit_code(const char *text)
{
    char c = seal_credit_code_check(text);
    return c && code_value(text[17]) == code_value(c);
}

/* Append s to the '\n'-separated list *list (malloc'd) unless it is there. */
static void list_add(char **list, const char *s, size_t n)
{
    size_t have = *list ? strlen(*list) : 0;
    for (const char *p = *list; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && !strncmp(p, s, n))
            return;
        p = e ? e + 1 : p + len;
    }
    char *grown = realloc(*list, have + n + 2);
    if (!grown)
        return;
    if (have)
        grown[have++] = '\n';
    memcpy(grown + have, s, n);
    grown[have + n] = 0;
    *list = grown;
}

/* The credit codes inside one attribute value: a run of letters and digits
 * that is a code, or ends with one ("NTRCN-9111…" and "SF9111…" alike). */
static void find_codes(char **codes, const char *v)
{
    while (*v) {
        size_t n = 0;
        while ((v[n] >= '0' && v[n] <= '9') || (v[n] >= 'A' && v[n] <= 'Z') || (v[n] >= 'a' && v[n] <= 'z'))
            n++;
        if (n >= 18) {
            char run[19];
            memcpy(run, v + n - 18, 18);
            run[18] = 0;
            for (int i = 0; i < 18; i++)
                if (run[i] >= 'a' && run[i] <= 'z')
                    run[i] = (char)(run[i] - 'a' + 'A');
            if (is_credit_code(run))
                list_add(codes, run, 18);
        }
        v += n ? n : 1;
    }
}

void seal__vfy_signer_ids(vsig *s, X509 *x)
{
    const X509_NAME *subj = X509_get_subject_name(x);
    int org_id = OBJ_txt2nid("2.5.4.97");

    free(s->signer_orgs);
    free(s->signer_codes);
    s->signer_orgs = s->signer_codes = NULL;
    for (int i = 0; subj && i < X509_NAME_entry_count(subj); i++) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(subj, i);
        int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
        unsigned char *utf8 = NULL;
        int n;
        if (nid != NID_organizationName && nid != NID_organizationalUnitName && nid != NID_commonName &&
            nid != NID_serialNumber && (nid == NID_undef || nid != org_id))
            continue;
        n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
        if (n < 0)
            continue;
        char *v = malloc((size_t)n + 1);
        if (v) {
            memcpy(v, utf8, (size_t)n);
            v[n] = 0;
            if (nid == NID_organizationName && !strchr(v, '\n'))
                list_add(&s->signer_orgs, v, strlen(v));
            find_codes(&s->signer_codes, v);
            free(v);
        }
        OPENSSL_free(utf8);
    }
    ERR_clear_error();
}

/* ------------------------------------------------------------ the rule */

/* A name as written on different certificates: full-width parentheses as
 * ASCII ones, spaces (ASCII and ideographic) dropped, ASCII case folded. */
static void name_fold(const char *in, char *out, size_t size)
{
    size_t o = 0;
    while (*in && o + 1 < size) {
        if (!strncmp(in, "（", 3) || !strncmp(in, "）", 3)) {
            out[o++] = (unsigned char)in[2] == 0x88 ? '(' : ')';
            in += 3;
        } else if (!strncmp(in, "\xe3\x80\x80", 3)) {
            in += 3;
        } else if (*in == ' ' || *in == '\t') {
            in++;
        } else {
            char c = *in++;
            out[o++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        }
    }
    out[o] = 0;
}

/* Whether line (one entry of a '\n' list) is want, as a code or a name. */
static int list_has(const char *list, const char *want, int code)
{
    char a[256], b[256], item[256];
    name_fold(want, b, sizeof(b));
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        snprintf(item, sizeof(item), "%.*s", (int)(len < 255 ? len : 255), p);
        if (code ? !strcasecmp(item, want) : (name_fold(item, a, sizeof(a)), !strcmp(a, b)))
            return 1;
        p = e ? e + 1 : p + len;
    }
    return 0;
}

static int sig_is_company(const vsig *s)
{
    if (!strcmp(s->seal_kind, "company"))
        return 1;
    for (size_t k = 0; k < s->npl; k++)
        if (!strcmp(s->pl[k].seal_kind, "company"))
            return 1;
    return 0;
}

/* What a certificate says: "O=…, credit code … (CN=…)". */
static void cert_says(const vsig *s, char *buf, size_t size)
{
    char orgs[120], codes[80];
    snprintf(orgs, sizeof(orgs), "%s", s->signer_orgs ? s->signer_orgs : "");
    snprintf(codes, sizeof(codes), "%s", s->signer_codes ? s->signer_codes : "");
    for (char *p = orgs; *p; p++)
        if (*p == '\n')
            *p = '/';
    for (char *p = codes; *p; p++)
        if (*p == '\n')
            *p = '/';
    /* Truncation is harmless: this is one line of a reason. */
    int n = snprintf(buf, size, "O=%s, credit code %s", orgs[0] ? orgs : "(none)", codes[0] ? codes : "(none)");
    if (n >= 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, " (CN=%s)", s->signer ? s->signer : "?");
}

void seal__signer_judge(const seal_report *rep, vrule *r, const char *want)
{
    int code = is_credit_code(want), company = 0, judged = 0;
    const vsig *bad = NULL;

    /* The company seals when there are any (the bidder's own seal), else
     * every signature; those that failed provide nothing. */
    for (size_t i = 0; i < rep->nsigs; i++)
        company |= !rep->sigs[i].doc_ts && rep->sigs[i].r.indication != SEAL_TOTAL_FAILED &&
                   sig_is_company(&rep->sigs[i]);
    for (size_t i = 0; i < rep->nsigs && !bad; i++) {
        const vsig *s = &rep->sigs[i];
        if (s->doc_ts || s->r.indication == SEAL_TOTAL_FAILED || (company && !sig_is_company(s)))
            continue;
        judged++;
        if (!list_has(code ? s->signer_codes : s->signer_orgs, want, code))
            bad = s;
    }
    r->met = judged && !bad;
    if (r->met)
        return;
    if (!judged) {
        snprintf(r->why, sizeof(r->why), "no valid signature to hold against %s", want);
        return;
    }
    char says[240];
    cert_says(bad, says, sizeof(says));
    snprintf(r->why, sizeof(r->why), "%s%s was made by a certificate of %s", bad->field,
             company ? " (company seal)" : "", says);
}
