/*
 * The committee's report: the rules (--require) and the deadline judged on
 * a verified document, its final verdict and exit code, and the report as
 * text (Chinese and English), JSON (design.md's fields), HTML and CSV —
 * computed once here, so that the command line (and any other front end)
 * only writes what it gets.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "reportint.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ getters */

SEAL_API size_t seal_report_placement_count(const seal_report *rep, size_t sig)
{
    return rep && sig < rep->nsigs ? rep->sigs[sig].npl : 0;
}

SEAL_API seal_status seal_report_placement(const seal_report *rep, size_t sig, size_t k,
                                           seal_placement_info *out)
{
    if (!rep || !out || sig >= rep->nsigs || k >= rep->sigs[sig].npl)
        return SEAL_ERR_ARGS;
    const vsig *s = &rep->sigs[sig];
    *out = s->pl[k].info;
    out->kind = s->pl[k].kind;
    out->seal_kind = s->pl[k].seal_kind[0] || !strcmp(s->seal_kind, "invisible") ? s->pl[k].seal_kind
                                                                                  : s->seal_kind;
    return SEAL_OK;
}

SEAL_API size_t seal_report_rule_count(const seal_report *rep)
{
    return rep ? rep->nrules : 0;
}

SEAL_API seal_status seal_report_rule(const seal_report *rep, size_t i, seal_rule_result *out)
{
    if (!rep || !out || i >= rep->nrules)
        return SEAL_ERR_ARGS;
    out->rule = rep->rules[i].rule;
    out->met = rep->rules[i].met;
    out->why = rep->rules[i].met ? "" : rep->rules[i].why;
    return SEAL_OK;
}

SEAL_API seal_deadline seal_report_deadline(const seal_report *rep)
{
    return rep ? rep->deadline_state : SEAL_DEADLINE_NONE;
}

SEAL_API const char *seal_report_verdict(const seal_report *rep)
{
    return rep && rep->verdict ? rep->verdict : "INDETERMINATE";
}

SEAL_API const char *seal_report_verdict_reason(const seal_report *rep)
{
    return rep ? rep->verdict_reason : "";
}

SEAL_API int seal_report_exit_code(const seal_report *rep)
{
    return rep ? rep->exit_code : 3;
}

SEAL_API const char *seal_verdict_label(const char *verdict, int zh)
{
    static const struct {
        const char *verdict, *zh, *en;
    } labels[] = {
        {"TOTAL-PASSED", "通过", "passed"},
        {"TOTAL-FAILED", "失败", "failed"},
        {"RULES-FAILED", "不符合要求", "requirements not met"},
        {"INDETERMINATE", "不确定", "indeterminate"},
        {"NO-SIGNATURE", "无投标人签名", "no bidder signature"},
        {"ERROR", "无法验证", "could not be verified"},
    };
    for (size_t i = 0; verdict && i < sizeof(labels) / sizeof(labels[0]); i++)
        if (!strcmp(verdict, labels[i].verdict))
            return zh ? labels[i].zh : labels[i].en;
    return zh ? "不确定" : "indeterminate";
}

/* ------------------------------------------------------------ rules */

/* "kind" and page of a rule; 0 when malformed. */
static int parse_rule(const char *rule, char *kind, size_t size, int *page)
{
    static const char *const kinds[] = {"company", "legal-rep", "legalrep", "signature"};
    const char *at = rule ? strchr(rule, '@') : NULL;
    size_t len;

    *page = 0;
    if (!rule)
        return 0;
    if (!strncmp(rule, "signer=", 7)) {
        /* An organisation name, or a credit code whose check character
         * holds (a mistyped code would never match: say so up front). */
        const char *want = rule + 7;
        size_t n = strlen(want);
        char c = seal_credit_code_check(want);
        if (!n || n > 200 || strchr(want, '\n') || (c && c != toupper((unsigned char)want[17])))
            return 0;
        snprintf(kind, size, "signer");
        return 1;
    }
    if (!strcmp(rule, "cross-page") || !strcmp(rule, "eseal")) {
        snprintf(kind, size, "%s", rule);
        return 1;
    }
    len = at ? (size_t)(at - rule) : strlen(rule);
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strlen(kinds[i]) != len || strncmp(rule, kinds[i], len) != 0)
            continue;
        if (at) {
            char *end;
            long p = strtol(at + 1, &end, 10);
            if (at[1] < '1' || at[1] > '9' || *end || p < 1 || p > 100000)
                return 0;
            *page = (int)p;
        }
        snprintf(kind, size, "%s", i == 2 ? "legal-rep" : kinds[i]);
        return 1;
    }
    return 0;
}

SEAL_API seal_status seal_rule_check(const char *rule)
{
    char kind[16];
    int page;
    return parse_rule(rule, kind, sizeof(kind), &page) ? SEAL_OK : SEAL_ERR_ARGS;
}

/* Only signatures that did not fail provide a rule. */
static int sig_counts(const vsig *s)
{
    return s->r.indication != SEAL_TOTAL_FAILED && !s->doc_ts;
}

/* The signer's certificate names an organisation: it carries a unified
 * social credit code, or its CN is one of its O= names (a personal
 * certificate names its holder in CN, the employer in O). */
static int org_cert(const vsig *s)
{
    if (s->signer_codes && s->signer_codes[0])
        return 1;
    for (const char *o = s->signer_orgs; o && *o;) {
        const char *nl = strchr(o, '\n');
        size_t n = nl ? (size_t)(nl - o) : strlen(o);
        if (n && s->signer && !strncmp(s->signer, o, n))
            return 1;
        o = nl ? nl + 1 : o + n;
    }
    return 0;
}

/* eseal: every valid signature that draws a seal is bound to an e-seal. */
static void judge_eseal(const seal_report *rep, vrule *r)
{
    size_t drawn = 0;
    for (size_t i = 0; i < rep->nsigs; i++) {
        const vsig *s = &rep->sigs[i];
        if (!sig_counts(s) || !s->npl)
            continue;
        drawn++;
        if (!seal__veseal_bound(s)) {
            const char *problem = seal__veseal_problem(s);
            snprintf(r->why, sizeof(r->why), "the seal of '%s' is not bound to a GB/T 38540 e-seal%s%s",
                     s->field, problem ? ": " : "", problem ? problem : "");
            return;
        }
    }
    r->met = drawn > 0;
    if (!drawn)
        snprintf(r->why, sizeof(r->why), "no valid seal bound to a GB/T 38540 e-seal");
}

static void judge_rule(const seal_report *rep, vrule *r)
{
    char kind[16];
    int page = 0, eseals = 0;

    parse_rule(r->rule, kind, sizeof(kind), &page);
    r->met = 0;
    if (!strcmp(kind, "signer")) {
        seal__signer_judge(rep, r, r->rule + 7);
        return;
    }
    if (!strcmp(kind, "eseal")) {
        judge_eseal(rep, r);
        return;
    }
    /* With e-seals in the document, a company seal is one bound to a
     * company e-seal used by an organisation's certificate. */
    for (size_t i = 0; i < rep->nsigs; i++)
        eseals |= rep->sigs[i].es != NULL;
    for (size_t i = 0; i < rep->nsigs && !r->met; i++) {
        const vsig *s = &rep->sigs[i];
        if (!sig_counts(s))
            continue;
        if (!strcmp(kind, "cross-page")) {
            /* Strips of one seal on two or more pages. */
            int first = 0;
            for (size_t k = 0; k < s->npl && !r->met; k++) {
                if (strcmp(s->pl[k].kind, "cross-page") != 0)
                    continue;
                if (!first)
                    first = s->pl[k].info.page;
                else if (s->pl[k].info.page != first)
                    r->met = 1;
            }
            continue;
        }
        /* A seal of that kind on that page, whatever placement drew it. */
        if (eseals && !strcmp(kind, "company") &&
            !(seal__veseal_bound(s) && seal__veseal_type(s) == SEAL_ESEAL_COMPANY && org_cert(s)))
            continue;
        for (size_t k = 0; k < s->npl && !r->met; k++) {
            const char *sk = s->pl[k].seal_kind[0] ? s->pl[k].seal_kind : s->seal_kind;
            r->met = !strcmp(sk, kind) && (!page || s->pl[k].info.page == page);
        }
    }
    if (r->met)
        return;
    if (rep->placements_limit[0])
        snprintf(r->why, sizeof(r->why), "not established: %s", rep->placements_limit);
    else if (!strcmp(kind, "cross-page"))
        snprintf(r->why, sizeof(r->why), "no valid cross-page seal (骑缝章) spanning two or more pages");
    else if (eseals && !strcmp(kind, "company") && page)
        snprintf(r->why, sizeof(r->why), "no valid company seal on page %d bound to a company e-seal and an "
                 "organisation's certificate", page);
    else if (eseals && !strcmp(kind, "company"))
        snprintf(r->why, sizeof(r->why), "no valid company seal bound to a company e-seal and an organisation's "
                 "certificate");
    else if (page)
        snprintf(r->why, sizeof(r->why), "no valid %s seal on page %d", kind, page);
    else
        snprintf(r->why, sizeof(r->why), "no valid %s seal", kind);
}

static void iso(long long t, char *buf, size_t size)
{
    seal__iso_time(t, buf, size);
}

/* The deadline over the signatures (document time-stamps excluded): the
 * worst of missed, claimed late, unproven, met. */
static seal_deadline judge_deadline(const seal_report *rep)
{
    int missed = 0, late = 0, unproven = 0;
    for (size_t i = 0; i < rep->nsigs; i++) {
        const vsig *s = &rep->sigs[i];
        if (s->doc_ts)
            continue;
        missed += s->r.deadline == SEAL_DEADLINE_MISSED;
        late += s->r.deadline == SEAL_DEADLINE_CLAIMED_LATE;
        unproven += s->r.deadline == SEAL_DEADLINE_UNPROVEN;
    }
    return missed     ? SEAL_DEADLINE_MISSED
           : late     ? SEAL_DEADLINE_CLAIMED_LATE
           : unproven ? SEAL_DEADLINE_UNPROVEN
                      : SEAL_DEADLINE_MET;
}

void seal__report_free_rules(seal_report *rep)
{
    for (size_t i = 0; i < rep->nrules; i++)
        free(rep->rules[i].rule);
    free(rep->rules);
    rep->rules = NULL;
    rep->nrules = 0;
}

/* Signatures, document time-stamps not counted (they prove when, not who). */
static size_t bidder_signatures(const seal_report *rep)
{
    size_t n = 0;
    for (size_t i = 0; i < rep->nsigs; i++)
        n += !rep->sigs[i].doc_ts;
    return n;
}

seal_status seal__report_judge(seal_report *rep, const seal_verify_options *opts)
{
    size_t n = opts && opts->version >= 2 ? opts->require_count : 0;
    char when[32];
    int unmet = 0;

    if (n) {
        rep->rules = calloc(n, sizeof(*rep->rules));
        if (!rep->rules)
            return SEAL_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(rep->rules[i].rule = strdup(opts->require[i])))
            return SEAL_ERR_NOMEM;
        rep->nrules = i + 1;
        judge_rule(rep, &rep->rules[i]);
    }
    rep->deadline = opts ? opts->deadline : 0;
    rep->deadline_state = rep->deadline ? judge_deadline(rep) : SEAL_DEADLINE_NONE;
    iso(rep->deadline, when, sizeof(when));

    /* Failed signatures first; then unmet rules and a missed deadline
     * (RULES-FAILED); then doubt. The exit code follows the verdict. */
    rep->verdict_reason[0] = 0;
    for (size_t i = 0; i < rep->nrules; i++)
        if (!rep->rules[i].met && !unmet++)
            snprintf(rep->verdict_reason, sizeof(rep->verdict_reason), "rule %s not met: %s",
                     rep->rules[i].rule, rep->rules[i].why);
    if (rep->info.indication == SEAL_TOTAL_FAILED) {
        rep->verdict = "TOTAL-FAILED";
        snprintf(rep->verdict_reason, sizeof(rep->verdict_reason), "%s", rep->reason);
    } else if (!bidder_signatures(rep)) {
        /* Nothing forged, nothing uncertain: the bid is not signed. */
        rep->verdict = "NO-SIGNATURE";
        snprintf(rep->verdict_reason, sizeof(rep->verdict_reason), "%s", rep->reason);
    } else if (unmet) {
        rep->verdict = "RULES-FAILED";
    } else if (rep->deadline_state == SEAL_DEADLINE_MISSED) {
        rep->verdict = "RULES-FAILED";
        snprintf(rep->verdict_reason, sizeof(rep->verdict_reason),
                 "deadline %s missed: a time-stamped signature is later", when);
    } else if (rep->deadline_state == SEAL_DEADLINE_CLAIMED_LATE) {
        rep->verdict = "RULES-FAILED";
        snprintf(rep->verdict_reason, sizeof(rep->verdict_reason),
                 "deadline %s missed: signed after the deadline by its own claim", when);
    } else if (rep->info.indication == SEAL_INDETERMINATE) {
        rep->verdict = "INDETERMINATE";
        snprintf(rep->verdict_reason, sizeof(rep->verdict_reason), "%s", rep->reason);
    } else if (rep->deadline_state == SEAL_DEADLINE_UNPROVEN) {
        rep->verdict = "INDETERMINATE";
        snprintf(rep->verdict_reason, sizeof(rep->verdict_reason),
                 "deadline %s unproven: no time-stamp proves a signature existed before it", when);
    } else if (rep->placements_limit[0]) {
        rep->verdict = "INDETERMINATE";
        snprintf(rep->verdict_reason, sizeof(rep->verdict_reason), "%s", rep->placements_limit);
    } else {
        rep->verdict = "TOTAL-PASSED";
    }
    rep->exit_code = !strcmp(rep->verdict, "TOTAL-PASSED")    ? 0
                     : !strcmp(rep->verdict, "INDETERMINATE") ? 3
                                                              : 1;
    return SEAL_OK;
}

SEAL_API int seal_report_entries_exit_code(const seal_report_entry *docs, size_t n)
{
    int fail = 0, input = 0, indet = 0;
    for (size_t i = 0; docs && i < n; i++) {
        int c = docs[i].rep ? seal_report_exit_code(docs[i].rep) : 4;
        fail |= c == 1;
        input |= c == 4;
        indet |= c == 3;
    }
    return fail ? 1 : input ? 4 : indet ? 3 : 0;
}

/* ------------------------------------------------------------ names */

static const char *changes_name(seal_changes c)
{
    return c == SEAL_CHANGES_NONE ? "none" : c == SEAL_CHANGES_ALLOWED ? "allowed" : "disallowed";
}

static const char *revocation_name(seal_revocation r)
{
    switch (r) {
    case SEAL_REVOCATION_GOOD: return "good";
    case SEAL_REVOCATION_REVOKED: return "revoked";
    case SEAL_REVOCATION_REVOKED_AFTER: return "revoked after signing";
    case SEAL_REVOCATION_NOT_CHECKED: break;
    }
    return "not checked";
}

static const char *deadline_name(seal_deadline d)
{
    switch (d) {
    case SEAL_DEADLINE_MET: return "met";
    case SEAL_DEADLINE_MISSED: return "missed";
    case SEAL_DEADLINE_UNPROVEN: return "unproven";
    case SEAL_DEADLINE_CLAIMED_LATE: return "claimed late";
    case SEAL_DEADLINE_NONE: break;
    }
    return "none";
}

static const char *deadline_text(seal_deadline d)
{
    switch (d) {
    case SEAL_DEADLINE_MISSED: return "MISSED 超时 (a time-stamped signature is later)";
    case SEAL_DEADLINE_CLAIMED_LATE: return "MISSED 超时 (signed after the deadline by its own claim 自称签名时间晚于截止时间)";
    case SEAL_DEADLINE_UNPROVEN: return "UNPROVEN (no time-stamp) 无时间戳，无法证明";
    default: return "met 满足";
    }
}

static const char *indication_zh(seal_indication ind)
{
    return ind == SEAL_TOTAL_PASSED ? "通过" : ind == SEAL_TOTAL_FAILED ? "失败" : "不确定";
}

static const char *kind_zh(const char *kind)
{
    if (!strcmp(kind, "company"))
        return "公章";
    if (!strcmp(kind, "legal-rep"))
        return "法人章";
    if (!strcmp(kind, "signature"))
        return "手写签名";
    if (!strcmp(kind, "invisible"))
        return "不可见";
    return "";
}

static const char *entry_verdict(const seal_report_entry *e)
{
    return e->rep ? seal_report_verdict(e->rep) : "ERROR";
}

/* Who submitted the bid: the signer of its company seal, else of its first
 * signature. */
static const char *bidder_of(const seal_report *rep)
{
    const char *first = "";
    for (size_t i = 0; rep && i < rep->nsigs; i++) {
        const vsig *s = &rep->sigs[i];
        if (s->doc_ts)
            continue;
        if (!strcmp(s->r.seal_kind, "company"))
            return s->r.signer;
        if (!*first)
            first = s->r.signer;
    }
    return first;
}

/* ------------------------------------------------------------ JSON */

static json_object *jstr(const char *s)
{
    return json_object_new_string(s ? s : "");
}

static json_object *json_rect(const double *r)
{
    json_object *a = json_object_new_array();
    for (int k = 0; k < 4; k++)
        json_object_array_add(a, json_object_new_double(r[k]));
    return a;
}

static json_object *json_sig(const seal_report *rep, size_t i)
{
    const vsig *v = &rep->sigs[i];
    const seal_signature_result *s = &v->r;
    json_object *j = json_object_new_object(), *ch = json_object_new_array(),
                *pages = json_object_new_array(), *pl = json_object_new_array();

    json_object_object_add(j, "field", jstr(s->field));
    json_object_object_add(j, "type", jstr(s->type));
    json_object_object_add(j, "subfilter", jstr(s->subfilter));
    json_object_object_add(j, "indication", jstr(seal_indication_name(s->indication)));
    json_object_object_add(j, "subindication", jstr(seal_subindication_name(s->subindication)));
    json_object_object_add(j, "reason", jstr(s->reason));
    json_object_object_add(j, "intact", json_object_new_boolean(s->intact));
    json_object_object_add(j, "byte_range_ok", json_object_new_boolean(s->byte_range_ok));
    json_object_object_add(j, "signer", jstr(s->signer));
    json_object_object_add(j, "signer_subject", jstr(s->signer_subject));
    json_object_object_add(j, "issuer", jstr(s->issuer));
    json_object_object_add(j, "serial", jstr(s->serial));
    json_object_object_add(j, "signing_time", jstr(s->signing_time));
    json_object_object_add(j, "time_trusted", json_object_new_boolean(s->time_trusted));
    json_object_object_add(j, "claimed_time", jstr(s->claimed_time));
    json_object_object_add(j, "timestamp", s->timestamp[0] ? jstr(s->timestamp) : NULL);
    json_object_object_add(j, "timestamp_ok", json_object_new_boolean(s->timestamp_ok));
    json_object_object_add(j, "level", jstr(s->level));
    json_object_object_add(j, "revision", json_object_new_int(s->revision));
    json_object_object_add(j, "changes_after", jstr(changes_name(s->changes_after)));
    for (size_t k = 0; k < v->nchanges; k++) {
        const seal_change_info *c = &v->changes[k].info;
        json_object *cj = json_object_new_object();
        json_object_object_add(cj, "revision", json_object_new_int(c->revision));
        json_object_object_add(cj, "object", json_object_new_int(c->object));
        json_object_object_add(cj, "page", json_object_new_int(c->page));
        json_object_object_add(cj, "kind", jstr(v->changes[k].kind));
        json_object_object_add(cj, "allowed", json_object_new_boolean(c->allowed));
        json_object_object_add(cj, "detail", jstr(v->changes[k].detail));
        json_object_array_add(ch, cj);
    }
    json_object_object_add(j, "changes", ch);
    json_object_object_add(j, "page", json_object_new_int(s->page));
    json_object_object_add(j, "rect", json_rect(s->rect));
    json_object_object_add(j, "visible", json_object_new_boolean(v->visible));
    for (size_t k = 0; k < s->page_count; k++)
        json_object_array_add(pages, json_object_new_int(s->pages[k]));
    json_object_object_add(j, "pages", pages);
    for (size_t k = 0; k < v->npl; k++) {
        seal_placement_info p;
        json_object *pj = json_object_new_object();
        seal_report_placement(rep, i, k, &p);
        json_object_object_add(pj, "page", json_object_new_int(p.page));
        json_object_object_add(pj, "rect", json_rect(p.rect));
        json_object_object_add(pj, "kind", jstr(p.kind));
        json_object_object_add(pj, "seal_kind", jstr(p.seal_kind));
        json_object_object_add(pj, "object", json_object_new_int(p.object));
        json_object_array_add(pl, pj);
    }
    json_object_object_add(j, "placements", pl);
    json_object_object_add(j, "seal_kind", jstr(s->seal_kind));
    json_object_object_add(j, "certify", json_object_new_int(s->certify));
    json_object_object_add(j, "chain_trusted", json_object_new_boolean(s->chain_trusted));
    json_object_object_add(j, "chain_fetched", jstr(s->chain_fetched));
    json_object_object_add(j, "revocation", jstr(revocation_name(s->revocation)));
    json_object_object_add(j, "digest_algorithm", jstr(s->digest_algorithm));
    json_object_object_add(j, "key", jstr(s->key));
    if (rep->deadline)
        json_object_object_add(j, "deadline", jstr(deadline_name(s->deadline)));
    if (v->es)
        json_object_object_add(j, "eseal", seal__veseal_json(v));
    return j;
}

static json_object *json_doc(const seal_report_entry *e)
{
    const seal_report *rep = e->rep;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "file", jstr(e->path));
    if (!rep) {
        json_object_object_add(o, "indication", jstr("ERROR"));
        json_object_object_add(o, "error", jstr(e->error));
        json_object_object_add(o, "signatures", json_object_new_array());
        return o;
    }
    /* "indication" is the final verdict, rules included; the signatures'
     * own worst indication is "signatures_indication". */
    json_object_object_add(o, "indication", jstr(rep->verdict));
    json_object_object_add(o, "subindication", jstr(seal_subindication_name(rep->info.subindication)));
    json_object_object_add(o, "reason", jstr(rep->verdict_reason));
    json_object_object_add(o, "verdict", jstr(rep->verdict));
    json_object_object_add(o, "verdict_zh", jstr(seal_verdict_label(rep->verdict, 1)));
    json_object_object_add(o, "signatures_indication", jstr(seal_indication_name(rep->info.indication)));
    json_object_object_add(o, "exit_code", json_object_new_int(rep->exit_code));
    json_object_object_add(o, "size", json_object_new_int64(rep->info.size));
    json_object_object_add(o, "pages", json_object_new_int(rep->info.pages));
    json_object_object_add(o, "revisions", json_object_new_int((int)rep->info.revisions));
    json_object_object_add(o, "docmdp", json_object_new_int(rep->info.docmdp));
    json_object *sigs = json_object_new_array();
    for (size_t i = 0; i < rep->nsigs; i++)
        json_object_array_add(sigs, json_sig(rep, i));
    json_object_object_add(o, "signatures", sigs);
    if (rep->nrules) {
        json_object *rules = json_object_new_array();
        for (size_t i = 0; i < rep->nrules; i++) {
            json_object *r = json_object_new_object();
            json_object_object_add(r, "rule", jstr(rep->rules[i].rule));
            json_object_object_add(r, "met", json_object_new_boolean(rep->rules[i].met));
            if (!rep->rules[i].met)
                json_object_object_add(r, "why", jstr(rep->rules[i].why));
            json_object_array_add(rules, r);
        }
        json_object_object_add(o, "rules", rules);
    }
    if (rep->deadline) {
        char when[32];
        iso(rep->deadline, when, sizeof(when));
        json_object_object_add(o, "deadline", jstr(when));
        json_object_object_add(o, "deadline_result", jstr(deadline_name(rep->deadline_state)));
    }
    return o;
}

static void render_json(FILE *f, const seal_report_entry *docs, size_t n, const char *folder)
{
    json_object *o;
    if (folder) {
        json_object *arr = json_object_new_array();
        o = json_object_new_object();
        json_object_object_add(o, "directory", jstr(folder));
        for (size_t i = 0; i < n; i++)
            json_object_array_add(arr, json_doc(&docs[i]));
        json_object_object_add(o, "documents", arr);
    } else {
        o = json_doc(&docs[0]);
    }
    fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

/* ------------------------------------------------------------ text */

/* "1, 2, 3 (widget 1, stamp 2)" */
static void print_pages(FILE *f, const vsig *v)
{
    size_t w = 0, st = 0, cp = 0;
    for (size_t k = 0; k < v->r.page_count; k++)
        fprintf(f, "%s%d", k ? ", " : "", v->r.pages[k]);
    for (size_t k = 0; k < v->npl; k++) {
        w += !strcmp(v->pl[k].kind, "widget");
        st += !strcmp(v->pl[k].kind, "stamp");
        cp += !strcmp(v->pl[k].kind, "cross-page");
    }
    fprintf(f, " (%zu placement%s:", v->npl, v->npl == 1 ? "" : "s");
    if (w)
        fprintf(f, " widget %zu", w);
    if (st)
        fprintf(f, " stamp %zu", st);
    if (cp)
        fprintf(f, " cross-page %zu", cp);
    fputs(")", f);
}

static void text_sig(FILE *f, const seal_report *rep, size_t i)
{
    const vsig *v = &rep->sigs[i];
    const seal_signature_result *s = &v->r;

    fprintf(f, "\n签名 Signature %zu: '%s' (%s%s%s)\n", i + 1, s->field, s->type, s->subfilter[0] ? ", " : "",
            s->subfilter);
    fprintf(f, "  结论 Verdict:        %s%s%s (%s)\n", seal_indication_name(s->indication),
            s->subindication ? " / " : "", seal_subindication_name(s->subindication), indication_zh(s->indication));
    if (s->reason[0])
        fprintf(f, "  原因 Reason:         %s\n  说明 Meaning:        %s / %s\n", s->reason,
                seal_subindication_text(s->subindication, 1), seal_subindication_text(s->subindication, 0));
    fprintf(f, "  签名者 Signer:       %s\n", s->signer[0] ? s->signer : "(unknown 未知)");
    if (s->issuer[0])
        fprintf(f, "  颁发者 Issuer:       %s\n", s->issuer);
    fprintf(f, "  签名时间 Time:       %s %s\n", s->signing_time[0] ? s->signing_time : "(none 无)",
            s->time_trusted ? "(时间戳证明 time-stamped)" : "(仅为声称 claimed only)");
    fprintf(f, "  级别 Level:          %s\n", s->level);
    fprintf(f, "  完整 Intact:         %s; ByteRange %s\n", s->intact ? "yes 是" : "no 否",
            s->byte_range_ok ? "ok 正常" : "bad 异常");
    fprintf(f, "  证书链 Chain:        %s\n", s->chain_trusted ? "trusted 受信任" : "not trusted 不受信任");
    if (s->chain_fetched && s->chain_fetched[0])
        fprintf(f, "  补全 Completed:      intermediate fetched online (AIA) 中间证书已在线获取: %s\n",
                s->chain_fetched);
    fprintf(f, "  吊销 Revocation:     %s%s\n", revocation_name(s->revocation),
            s->revocation == SEAL_REVOCATION_NOT_CHECKED ? " (吊销状态未检查)" : "");
    fprintf(f, "  修订 Revision:       %d of %zu\n", s->revision, rep->info.revisions);
    fprintf(f, "  之后修改 Changes:    %s\n", changes_name(s->changes_after));
    for (size_t k = 0; k < v->nchanges; k++)
        fprintf(f, "    %s revision %d: %s — %s\n", v->changes[k].info.allowed ? "允许 allowed   " : "禁止 DISALLOWED",
                v->changes[k].info.revision, v->changes[k].kind, v->changes[k].detail);
    if (s->page_count) {
        fprintf(f, "  印章 Seal:           %s%s%s, page %d at [%.1f %.1f %.1f %.1f]%s\n",
                s->seal_kind[0] ? s->seal_kind : "unrecorded", kind_zh(s->seal_kind)[0] ? " " : "",
                kind_zh(s->seal_kind), s->page, s->rect[0], s->rect[1], s->rect[2], s->rect[3],
                s->page_count > 1 ? " (several pages 跨页)" : "");
        fputs("  页面 Pages:          ", f);
        print_pages(f, v);
        fputs("\n", f);
    } else {
        fprintf(f, "  印章 Seal:           invisible 不可见\n");
    }
    seal__veseal_text(f, v);
    if (s->certify)
        fprintf(f, "  认证 Certifies:      DocMDP P=%d\n", s->certify);
    if (rep->deadline && !v->doc_ts)
        fprintf(f, "  截止 Deadline:       %s\n", deadline_name(s->deadline));
}

/* Columns a code point takes in a terminal, as wcwidth(3) counts them:
 * East Asian wide and full-width characters (汉字, ，（）…) two, combining
 * marks and zero-width characters none, the rest one. */
static int rune_width(unsigned r)
{
    static const unsigned wide[][2] = {
        {0x1100, 0x115F}, {0x2329, 0x232A}, {0x2E80, 0x303E}, {0x3041, 0x33FF}, {0x3400, 0x4DBF},
        {0x4E00, 0x9FFF}, {0xA000, 0xA4CF}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0xFE10, 0xFE19},
        {0xFE30, 0xFE6F}, {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF},
        {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD}};
    static const unsigned zero[][2] = {
        {0x0300, 0x036F}, {0x200B, 0x200F}, {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFEFF, 0xFEFF}};
    for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
        if (r >= zero[i][0] && r <= zero[i][1])
            return 0;
    for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
        if (r >= wide[i][0] && r <= wide[i][1])
            return 2;
    return 1;
}

static size_t display_width(const char *s)
{
    size_t w = 0;
    int r;
    while (s && *s) {
        s += fz_chartorune(&r, s); /* a byte that starts no character: one U+FFFD */
        w += (size_t)rune_width((unsigned)r);
    }
    return w;
}

static void text_doc(FILE *f, const seal_report_entry *e)
{
    const seal_report *rep = e->rep;
    if (!rep) {
        fprintf(f, "文件 File: %s\n结论 Verdict: ERROR %s — %s\n", e->path, seal_verdict_label("ERROR", 1), e->error);
        return;
    }
    fprintf(f, "文件 File:      %s (%d page%s, %zu revision%s%s)\n", e->path, rep->info.pages,
            rep->info.pages == 1 ? "" : "s", rep->info.revisions, rep->info.revisions == 1 ? "" : "s",
            rep->info.docmdp ? ", certified" : "");
    fprintf(f, "结论 Verdict:   %s %s%s%s\n", rep->verdict, seal_verdict_label(rep->verdict, 1),
            rep->verdict_reason[0] ? " — " : "", rep->verdict_reason);
    for (size_t i = 0; i < rep->nsigs; i++)
        text_sig(f, rep, i);
    if (rep->nsigs == 0)
        fprintf(f, "\n(no signature 无签名)\n");
    for (size_t i = 0; i < rep->nrules; i++) {
        size_t w = display_width(rep->rules[i].rule);
        fprintf(f, "规则 Rule %s%*s %s%s%s\n", rep->rules[i].rule, w < 14 ? (int)(14 - w) : 0, "",
                rep->rules[i].met ? "met 满足" : "NOT MET 不满足", rep->rules[i].met ? "" : " — ",
                rep->rules[i].met ? "" : rep->rules[i].why);
    }
    if (rep->deadline) {
        char when[32];
        iso(rep->deadline, when, sizeof(when));
        fprintf(f, "截止时间 Deadline %s: %s\n", when, deadline_text(rep->deadline_state));
    }
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b && b[1] ? b + 1 : path;
}

/* A document as the folder's tables show it: its path inside the folder
 * ("sub/bid.pdf" under -r), else its file name. */
static const char *shown_path(const char *folder, const char *path)
{
    size_t n = folder ? strlen(folder) : 0;
    if (n && !strncmp(path, folder, n) && (path[n] == '/' || folder[n - 1] == '/'))
        return path + n + (path[n] == '/');
    return base_name(path);
}

enum { SUM_FILE, SUM_BIDDER, SUM_SEALS, SUM_VERDICT, SUM_REASON, SUM_COLS };

/* One line of the summary: every cell padded to its column's display
 * width (the seal count right-aligned), two spaces between columns, no
 * trailing blanks. */
static void summary_row(FILE *f, const char *const cell[SUM_COLS], const size_t width[SUM_COLS])
{
    int last = SUM_COLS - 1;
    while (last > 0 && !cell[last][0])
        last--;
    for (int c = 0; c <= last; c++) {
        size_t pad = width[c] - display_width(cell[c]);
        if (c == SUM_SEALS)
            fprintf(f, "%*s", (int)pad, "");
        fputs(cell[c], f);
        if (c < last)
            fprintf(f, "%*s  ", c == SUM_SEALS ? 0 : (int)pad, "");
    }
    fputc('\n', f);
}

static void summary_cells(const seal_report_entry *e, const char *folder, char *count, char *verdict,
                          const char *cell[SUM_COLS])
{
    const seal_report *rep = e->rep;
    const char *v = entry_verdict(e);
    const char *bidder = bidder_of(rep);
    snprintf(count, 24, "%zu", rep ? rep->nsigs : 0);
    snprintf(verdict, 64, "%s %s", v, seal_verdict_label(v, 1));
    cell[SUM_FILE] = shown_path(folder, e->path);
    cell[SUM_BIDDER] = bidder[0] ? bidder : "-";
    cell[SUM_SEALS] = count;
    cell[SUM_VERDICT] = verdict;
    cell[SUM_REASON] = rep ? rep->verdict_reason : e->error ? e->error : "";
}

static void text_summary(FILE *f, const seal_report_entry *docs, size_t n, const char *folder)
{
    static const char *const head[SUM_COLS] = {"文件 File", "投标人 Bidder", "印章 Seals", "结论 Verdict",
                                               "原因 Reason"};
    size_t width[SUM_COLS];
    char count[24], verdict[64];
    const char *cell[SUM_COLS];

    for (int c = 0; c < SUM_COLS; c++)
        width[c] = display_width(head[c]);
    for (size_t i = 0; i < n; i++) {
        summary_cells(&docs[i], folder, count, verdict, cell);
        for (int c = 0; c < SUM_COLS; c++)
            if (display_width(cell[c]) > width[c])
                width[c] = display_width(cell[c]);
    }
    summary_row(f, head, width);
    for (size_t i = 0; i < n; i++) {
        summary_cells(&docs[i], folder, count, verdict, cell);
        summary_row(f, cell, width);
    }
}

/* ------------------------------------------------------------ CSV */

static void csv_field(FILE *f, const char *s, int last)
{
    fputc('"', f);
    for (; s && *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
    }
    fputs(last ? "\"\r\n" : "\",", f);
}

static void render_csv(FILE *f, const seal_report_entry *docs, size_t n, const char *folder)
{
    /* A BOM, so spreadsheet programs read the Chinese as UTF-8. */
    fputs("\xEF\xBB\xBF", f);
    fputs("file,bidder,signatures,verdict,verdict_zh,reason,eseals\r\n", f);
    for (size_t i = 0; i < n; i++) {
        char count[24];
        const seal_report *rep = docs[i].rep;
        snprintf(count, sizeof(count), "%zu", rep ? rep->nsigs : 0);
        csv_field(f, shown_path(folder, docs[i].path), 0);
        csv_field(f, bidder_of(rep), 0);
        csv_field(f, count, 0);
        csv_field(f, entry_verdict(&docs[i]), 0);
        csv_field(f, seal_verdict_label(entry_verdict(&docs[i]), 1), 0);
        csv_field(f, rep ? rep->verdict_reason : docs[i].error, 0);
        char eseals[600] = "";
        for (size_t k = 0; rep && k < rep->nsigs; k++)
            seal__veseal_line(&rep->sigs[k], eseals, sizeof(eseals));
        csv_field(f, eseals, 1);
    }
}

/* ------------------------------------------------------------ HTML */

static void base64(FILE *f, const unsigned char *d, size_t n)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ? (unsigned)d[i + 1] << 8 : 0) | (i + 2 < n ? d[i + 2] : 0);
        fputc(t[v >> 18 & 63], f);
        fputc(t[v >> 12 & 63], f);
        fputc(i + 1 < n ? t[v >> 6 & 63] : '=', f);
        fputc(i + 2 < n ? t[v & 63] : '=', f);
    }
}

static const char *verdict_class(const char *v)
{
    return !strcmp(v, "TOTAL-PASSED")    ? "pass"
           : !strcmp(v, "INDETERMINATE") ? "indet"
           : !strcmp(v, "NO-SIGNATURE")  ? "nosig"
                                         : "fail";
}

static int html_png(FILE *f, const seal_report *rep, size_t i, int which, const char *cls, const char *alt)
{
    const unsigned char *png;
    size_t len;
    if (seal_report_png(rep, i, which, &png, &len) != SEAL_OK)
        return 0;
    fprintf(f, "<img class=\"%s\" alt=\"%s\" src=\"data:image/png;base64,", cls, alt);
    base64(f, png, len);
    fputs("\">", f);
    return 1;
}

/* Every page the seal is drawn on, one item per placement. */
static void html_placements(FILE *f, const seal_report *rep, size_t i)
{
    fputs("<ul class=\"placements\">", f);
    for (size_t k = 0; k < seal_report_placement_count(rep, i); k++) {
        seal_placement_info p;
        seal_report_placement(rep, i, k, &p);
        fprintf(f, "<li data-page=\"%d\">第 %d 页 page %d: %s", p.page, p.page, p.page, p.kind);
        if (p.seal_kind[0]) {
            fputs(", ", f);
            seal__xml_escape(f, p.seal_kind);
            if (kind_zh(p.seal_kind)[0])
                fprintf(f, " %s", kind_zh(p.seal_kind));
        }
        fputs("</li>", f);
    }
    fputs("</ul>", f);
}

static void html_sig(FILE *f, const seal_report *rep, size_t i)
{
    const vsig *v = &rep->sigs[i];
    const seal_signature_result *s = &v->r;

    fprintf(f, "<tr class=\"sig %s\"><td>%zu</td><td>", verdict_class(seal_indication_name(s->indication)), i + 1);
    seal__xml_escape(f, s->field);
    fprintf(f, "</td><td><b>%s</b> %s<br>%s", seal_indication_name(s->indication), indication_zh(s->indication),
            seal_subindication_name(s->subindication));
    if (s->reason[0]) {
        fputs("<br><small>", f);
        seal__xml_escape(f, s->reason);
        fputs("</small>", f);
    }
    fputs("</td><td>", f);
    seal__xml_escape(f, s->signer);
    fputs("<br><small>", f);
    seal__xml_escape(f, s->issuer);
    if (s->chain_fetched && s->chain_fetched[0]) {
        fputs("<br>中间证书已在线获取 intermediate fetched online (AIA): ", f);
        seal__xml_escape(f, s->chain_fetched);
    }
    fputs("</small></td><td>", f);
    seal__xml_escape(f, s->signing_time);
    fprintf(f, "<br><small>%s</small></td><td>%s</td><td>",
            s->time_trusted ? "时间戳 time-stamped" : "仅声称 claimed only", s->level);
    if (html_png(f, rep, i, 0, "seal", "seal"))
        fputs("<br>", f);
    seal__xml_escape(f, s->seal_kind);
    fprintf(f, " %s", kind_zh(s->seal_kind));
    if (s->page_count) {
        fputs("<br><span class=\"pages\">页面 pages ", f);
        print_pages(f, v);
        fputs("</span>", f);
        html_placements(f, rep, i);
    }
    seal__veseal_html(f, v);
    fputs("</td><td>", f);
    html_png(f, rep, i, 1, "region", "page region");
    fprintf(f, "</td><td>%s", changes_name(s->changes_after));
    if (v->nchanges) {
        fputs("<ul>", f);
        for (size_t k = 0; k < v->nchanges; k++) {
            fprintf(f, "<li class=\"%s\">", v->changes[k].info.allowed ? "ok" : "bad");
            seal__xml_escape(f, v->changes[k].kind);
            fputs(": ", f);
            seal__xml_escape(f, v->changes[k].detail);
            /* What the signer saw beside what is shown now. */
            for (int w = 0; w < 2; w++)
                if (v->changes[k].png[w]) {
                    fprintf(f, "<figure class=\"crop\"><img alt=\"%s\" src=\"data:image/png;base64,",
                            w ? "now" : "signed");
                    base64(f, v->changes[k].png[w], v->changes[k].pnglen[w]);
                    fprintf(f, "\"><figcaption>%s</figcaption></figure>", w ? "现在 now" : "签名时 when signed");
                }
            fputs("</li>", f);
        }
        fputs("</ul>", f);
    }
    fputs("</td></tr>\n", f);
}

static void html_doc(FILE *f, const seal_report_entry *e)
{
    const seal_report *rep = e->rep;
    const char *v = entry_verdict(e);

    fprintf(f, "<section class=\"doc\">\n<div class=\"banner %s\" data-verdict=\"%s\"><b>", verdict_class(v), v);
    seal__xml_escape(f, v);
    fprintf(f, " %s</b> ", seal_verdict_label(v, 1));
    seal__xml_escape(f, e->path);
    if (!rep) {
        fputs(" — ", f);
        seal__xml_escape(f, e->error);
        fputs("</div>\n</section>\n", f);
        return;
    }
    if (rep->verdict_reason[0]) {
        fputs("<br><small>", f);
        seal__xml_escape(f, rep->verdict_reason);
        fputs("</small>", f);
    }
    fprintf(f, "</div>\n<p>%d 页 pages, %zu 修订 revisions%s</p>\n", rep->info.pages, rep->info.revisions,
            rep->info.docmdp ? ", 已认证 certified" : "");
    fputs("<table class=\"sigs\">\n<tr><th>#</th><th>字段 Field</th><th>结论 Verdict</th><th>签名者 Signer</th>"
          "<th>时间 Time</th><th>级别 Level</th><th>印章 Seal</th><th>页面区域 Page region</th>"
          "<th>之后修改 Changes after</th></tr>\n",
          f);
    for (size_t i = 0; i < rep->nsigs; i++)
        html_sig(f, rep, i);
    fputs("</table>\n", f);
    if (rep->nrules || rep->deadline) {
        fputs("<ul class=\"rules\">", f);
        for (size_t i = 0; i < rep->nrules; i++) {
            fprintf(f, "<li class=\"%s\">规则 rule ", rep->rules[i].met ? "ok" : "bad");
            seal__xml_escape(f, rep->rules[i].rule);
            fputs(rep->rules[i].met ? ": met 满足" : ": NOT MET 不满足 — ", f);
            if (!rep->rules[i].met)
                seal__xml_escape(f, rep->rules[i].why);
            fputs("</li>", f);
        }
        if (rep->deadline) {
            char when[32];
            iso(rep->deadline, when, sizeof(when));
            fprintf(f, "<li class=\"%s\">截止时间 deadline %s: %s</li>",
                    rep->deadline_state == SEAL_DEADLINE_MET ? "ok" : "bad", when, deadline_text(rep->deadline_state));
        }
        fputs("</ul>\n", f);
    }
    fputs("</section>\n", f);
}

static void render_html(FILE *f, const seal_report_entry *docs, size_t n, const char *folder)
{
    fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n"
          "<title>签名验证报告 Signature verification report</title>\n<style>\n"
          "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
          ".banner{padding:.8em 1em;border-radius:6px;font-size:1.2em;margin:.5em 0}\n"
          ".banner.pass{background:#d9f2d9;border:2px solid #2e7d32}\n"
          ".banner.fail{background:#fde0e0;border:2px solid #c62828}\n"
          ".banner.indet{background:#fff4d6;border:2px solid #f9a825}\n"
          ".banner.nosig{background:#ececec;border:2px solid #616161}\n"
          "table{border-collapse:collapse;width:100%}td,th{border:1px solid #bbb;padding:.4em;vertical-align:top}\n"
          "tr.pass td:nth-child(3){background:#eef9ee}tr.fail td:nth-child(3){background:#fdeeee}\n"
          "tr.indet td:nth-child(3){background:#fffaea}img.seal{max-width:160px;max-height:160px}\n"
          "img.region{max-width:320px;border:1px solid #ccc}figure.crop{display:inline-block;margin:4px}"
          "figure.crop img{border:1px solid #ccc}li.bad{color:#c62828}li.ok{color:#2e7d32}\n"
          "ul.placements{margin:.3em 0;padding-left:1.2em;font-size:.9em}\n"
          "</style></head><body>\n<h1>签名验证报告 Signature verification report</h1>\n",
          f);
    if (folder) {
        fputs("<table class=\"summary\"><tr><th>文件 File</th><th>投标人 Bidder</th><th>印章 Seals</th>"
              "<th>结论 Verdict</th><th>原因 Reason</th></tr>\n",
              f);
        for (size_t i = 0; i < n; i++) {
            const char *v = entry_verdict(&docs[i]);
            fprintf(f, "<tr class=\"%s\"><td>", verdict_class(v));
            seal__xml_escape(f, docs[i].path);
            fputs("</td><td>", f);
            seal__xml_escape(f, bidder_of(docs[i].rep));
            fprintf(f, "</td><td>%zu</td><td>%s %s</td><td>", docs[i].rep ? docs[i].rep->nsigs : 0, v,
                    seal_verdict_label(v, 1));
            seal__xml_escape(f, docs[i].rep ? docs[i].rep->verdict_reason : docs[i].error);
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    for (size_t i = 0; i < n; i++)
        html_doc(f, &docs[i]);
    fputs("</body></html>\n", f);
}

/* ------------------------------------------------------------ entry */

SEAL_API seal_status seal_report_render(seal_ctx *ctx, const seal_report_entry *docs, size_t n,
                                        const char *folder, seal_report_format fmt, char **out,
                                        size_t *len)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f;

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (!out || !len || !docs || n == 0 || (!folder && n != 1) || fmt < SEAL_REPORT_TEXT || fmt > SEAL_REPORT_CSV)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_report_render: bad arguments");
    *out = NULL;
    *len = 0;
    /* The library prints nowhere: a memory stream holds the text. */
    f = open_memstream(&buf, &size);
    if (!f)
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    switch (fmt) {
    case SEAL_REPORT_TEXT:
        if (folder)
            text_summary(f, docs, n, folder);
        else
            text_doc(f, &docs[0]);
        break;
    case SEAL_REPORT_JSON: render_json(f, docs, n, folder); break;
    case SEAL_REPORT_HTML: render_html(f, docs, n, folder); break;
    case SEAL_REPORT_CSV: render_csv(f, docs, n, folder); break;
    }
    if (fclose(f) != 0 || !buf) {
        free(buf);
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    }
    *out = buf;
    *len = size;
    return SEAL_OK;
}

SEAL_API void seal_report_text_free(char *text)
{
    free(text);
}

/* ------------------------------------------------------------ vocabulary */

SEAL_API const char *seal_indication_name(seal_indication ind)
{
    switch (ind) {
    case SEAL_TOTAL_PASSED: return "TOTAL-PASSED";
    case SEAL_TOTAL_FAILED: return "TOTAL-FAILED";
    case SEAL_INDETERMINATE: return "INDETERMINATE";
    }
    return "INDETERMINATE";
}

static const struct {
    const char *name, *en, *zh;
} subs[] = {
    [SEAL_SUB_NONE] = {"", "", ""},
    [SEAL_SUB_FORMAT_FAILURE] = {"FORMAT_FAILURE", "the signature or the document is malformed or was changed",
                                 "签名或文档格式错误或已被篡改"},
    [SEAL_SUB_HASH_FAILURE] = {"HASH_FAILURE", "the signed bytes were changed", "签名数据已被修改"},
    [SEAL_SUB_SIG_CRYPTO_FAILURE] = {"SIG_CRYPTO_FAILURE", "the signature value is wrong",
                                     "签名值验证失败"},
    [SEAL_SUB_REVOKED] = {"REVOKED", "the certificate was revoked before signing", "证书在签名前已被吊销"},
    [SEAL_SUB_EXPIRED] = {"EXPIRED", "the certificate had expired when signing", "签名时证书已过期"},
    [SEAL_SUB_NOT_YET_VALID] = {"NOT_YET_VALID", "the certificate was not yet valid when signing",
                                "签名时证书尚未生效"},
    [SEAL_SUB_NO_CERTIFICATE_CHAIN_FOUND] = {"NO_CERTIFICATE_CHAIN_FOUND",
                                             "the certificate does not chain to a trusted CA",
                                             "证书无法链接到受信任的CA"},
    [SEAL_SUB_CERTIFICATE_CHAIN_GENERAL_FAILURE] = {"CERTIFICATE_CHAIN_GENERAL_FAILURE",
                                                    "the certificate chain is invalid", "证书链无效"},
    [SEAL_SUB_CRYPTO_CONSTRAINTS_FAILURE] = {"CRYPTO_CONSTRAINTS_FAILURE",
                                             "the algorithms are too weak for the policy",
                                             "算法强度不符合安全策略"},
    [SEAL_SUB_OUT_OF_BOUNDS_NO_POE] = {"OUT_OF_BOUNDS_NO_POE",
                                       "the certificate has expired and no time-stamp proves the "
                                       "signature was made while it was valid",
                                       "证书已过期，且无时间戳证明签名时证书有效"},
    [SEAL_SUB_TRY_LATER] = {"TRY_LATER", "revocation status not available", "无法获得证书吊销状态"},
    [SEAL_SUB_NO_POE] = {"NO_POE", "no proof of existence before the required time",
                         "无法证明在规定时间之前已存在"},
    [SEAL_SUB_REVOKED_NO_POE] = {"REVOKED_NO_POE",
                                 "the certificate is revoked and nothing proves the signature came first",
                                 "证书已被吊销，且无法证明签名在吊销之前"},
    [SEAL_SUB_SIGNED_DATA_NOT_FOUND] = {"SIGNED_DATA_NOT_FOUND", "no signed data found", "未找到签名数据"},
    [SEAL_SUB_NO_SIGNING_CERTIFICATE_FOUND] = {"NO_SIGNING_CERTIFICATE_FOUND",
                                               "the signer's certificate cannot be identified",
                                               "无法确定签名者证书"},
    [SEAL_SUB_CHAIN_CONSTRAINTS_FAILURE] = {"CHAIN_CONSTRAINTS_FAILURE",
                                            "the certificate may not be used for signing",
                                            "该证书不允许用于签名"},
};

SEAL_API const char *seal_subindication_name(seal_subindication sub)
{
    if ((size_t)sub >= sizeof(subs) / sizeof(subs[0]))
        return "";
    return subs[sub].name;
}

SEAL_API const char *seal_subindication_text(seal_subindication sub, int zh)
{
    if ((size_t)sub >= sizeof(subs) / sizeof(subs[0]))
        return "";
    return zh ? subs[sub].zh : subs[sub].en;
}

SEAL_API seal_status seal_report_png(const seal_report *rep, size_t i, int which,
                                     const unsigned char **png, size_t *len)
{
    if (!rep || !png || !len || i >= rep->nsigs || which < 0 || which > 1)
        return SEAL_ERR_ARGS;
    if (!rep->sigs[i].png[which])
        return SEAL_ERR_NOT_FOUND;
    *png = rep->sigs[i].png[which];
    *len = rep->sigs[i].pnglen[which];
    return SEAL_OK;
}
