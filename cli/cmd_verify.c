/*
 * seal verify: check the signatures of bid PDFs for an evaluation
 * committee — text (Chinese and English labels), JSON, a self-contained
 * HTML report, and the committee's rules (--deadline, --require).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char synopsis[] =
    "seal verify IN.pdf|DIR [--trust CERT|DIR]... [--deadline ISO-8601] [--require RULE]...\n"
    "       [--revocation soft|require] [--allow-legacy] [--online] [--json] [--html OUT.html]\n"
    "       [--password-env VAR]\n"
    "  RULE: company[@PAGE], legal-rep[@PAGE], signature[@PAGE], cross-page";

#define MAX_RULES 32
#define MAX_TRUST 64
#define MAX_DIR_FILES 10000

typedef struct rule_result {
    const char *rule;
    int met;
    char why[200];
} rule_result;

typedef struct doc_result {
    const char *path;
    seal_report *rep;          /* NULL: could not verify */
    seal_status st;
    char error[1100];
    rule_result rules[MAX_RULES];
    int nrules;
    int deadline_missed, deadline_unproven;
    int exit_code;
} doc_result;

typedef struct verify_args {
    const char *rules[MAX_RULES];
    int nrules;
    long long deadline;
    const char *deadline_text;
} verify_args;

/* ------------------------------------------------------------ helpers */

/* ISO 8601: YYYY-MM-DD[THH:MM[:SS]][Z|±HH:MM]; a missing zone means UTC
 * ... and a date alone means the end of that day is NOT assumed: 00:00. */
static int parse_iso(const char *s, long long *out)
{
    struct tm tm;
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, off = 0;
    const char *p;

    memset(&tm, 0, sizeof(tm));
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return -1;
    p = s + n;
    if (*p == 'T' || *p == ' ') {
        int m = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m) != 2)
            return -1;
        p += 1 + m;
        if (*p == ':') {
            if (sscanf(p + 1, "%2d%n", &sec, &m) != 1)
                return -1;
            p += 1 + m;
        }
    }
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh = 0, om = 0, m = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &m) != 2)
            return -1;
        off = (oh * 3600 + om * 60) * (*p == '+' ? 1 : -1);
        p += 1 + m;
    }
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *out = (long long)timegm(&tm) - off;
    return 0;
}

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
    case SEAL_DEADLINE_NONE: break;
    }
    return "none";
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

/* ------------------------------------------------------------ rules */

static int sig_counts(const seal_signature_result *s)
{
    return s->indication != SEAL_TOTAL_FAILED && !strcmp(s->type, "Sig");
}

static void check_rule(doc_result *dr, const char *rule)
{
    rule_result *rr = &dr->rules[dr->nrules++];
    char kind[64];
    int page = 0;
    const char *at = strchr(rule, '@');
    size_t n = seal_report_signature_count(dr->rep);

    rr->rule = rule;
    rr->met = 0;
    snprintf(kind, sizeof(kind), "%.*s", at ? (int)(at - rule) : (int)strlen(rule), rule);
    if (at)
        page = atoi(at + 1);
    if (!strcmp(kind, "legalrep"))
        snprintf(kind, sizeof(kind), "legal-rep");
    for (size_t i = 0; i < n && !rr->met; i++) {
        seal_signature_result s;
        seal_report_signature(dr->rep, i, &s);
        if (!sig_counts(&s))
            continue;
        if (!strcmp(kind, "cross-page")) {
            int distinct = 0;
            for (size_t k = 0; k < s.page_count; k++)
                if (k == 0 || s.pages[k] != s.pages[k - 1])
                    distinct++;
            rr->met = distinct >= 2;
            continue;
        }
        if (strcmp(s.seal_kind, kind) != 0)
            continue;
        if (!page) {
            rr->met = 1;
            continue;
        }
        for (size_t k = 0; k < s.page_count; k++)
            if (s.pages[k] == page)
                rr->met = 1;
    }
    if (!rr->met) {
        if (!strcmp(kind, "cross-page"))
            snprintf(rr->why, sizeof(rr->why), "no valid cross-page seal (骑缝章) spanning two or more pages");
        else if (page)
            snprintf(rr->why, sizeof(rr->why), "no valid %s seal on page %d", kind, page);
        else
            snprintf(rr->why, sizeof(rr->why), "no valid %s seal", kind);
    }
}

static int valid_rule(const char *rule)
{
    static const char *const kinds[] = {"company", "legal-rep", "legalrep", "signature"};
    const char *at = strchr(rule, '@');
    size_t len = at ? (size_t)(at - rule) : strlen(rule);
    if (!strcmp(rule, "cross-page"))
        return 1;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strlen(kinds[i]) == len && !strncmp(rule, kinds[i], len)) {
            int p;
            return !at || cli_parse_int(at + 1, 1, 100000, &p) == 0;
        }
    return 0;
}

/* The exit code of one document: 1 failed or a rule unmet, 3 not
 * everything established, 0 all passed. */
static void judge(doc_result *dr, const verify_args *va)
{
    seal_report_info info;

    if (!dr->rep) {
        dr->exit_code = cli_exit_code(dr->st);
        return;
    }
    seal_report_document(dr->rep, &info);
    for (int i = 0; i < va->nrules; i++)
        check_rule(dr, va->rules[i]);
    if (va->deadline) {
        for (size_t i = 0; i < seal_report_signature_count(dr->rep); i++) {
            seal_signature_result s;
            seal_report_signature(dr->rep, i, &s);
            if (strcmp(s.type, "Sig"))
                continue;
            dr->deadline_missed += s.deadline == SEAL_DEADLINE_MISSED;
            dr->deadline_unproven += s.deadline == SEAL_DEADLINE_UNPROVEN;
        }
    }
    int rules_failed = 0;
    for (int i = 0; i < dr->nrules; i++)
        rules_failed += !dr->rules[i].met;
    if (info.indication == SEAL_TOTAL_FAILED || rules_failed || dr->deadline_missed)
        dr->exit_code = EXIT_FAILED;
    else if (info.indication == SEAL_INDETERMINATE || dr->deadline_unproven)
        dr->exit_code = EXIT_INDETERMINATE;
    else
        dr->exit_code = EXIT_OK;
}

static const char *verdict_of(const doc_result *dr)
{
    seal_report_info info;
    if (!dr->rep)
        return "ERROR";
    seal_report_document(dr->rep, &info);
    if (info.indication == SEAL_TOTAL_PASSED && dr->exit_code == EXIT_FAILED)
        return "RULES-FAILED";
    if (info.indication == SEAL_TOTAL_PASSED && dr->exit_code == EXIT_INDETERMINATE)
        return "INDETERMINATE";
    return seal_indication_name(info.indication);
}

/* ------------------------------------------------------------ JSON */

static json_object *jstr(const char *s)
{
    return json_object_new_string(s ? s : "");
}

static json_object *doc_json(const doc_result *dr, const verify_args *va)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "file", jstr(dr->path));
    if (!dr->rep) {
        json_object_object_add(o, "indication", jstr("ERROR"));
        json_object_object_add(o, "error", jstr(dr->error));
        json_object_object_add(o, "signatures", json_object_new_array());
        return o;
    }
    seal_report_info info;
    seal_report_document(dr->rep, &info);
    json_object_object_add(o, "indication", jstr(seal_indication_name(info.indication)));
    json_object_object_add(o, "subindication", jstr(seal_subindication_name(info.subindication)));
    json_object_object_add(o, "reason", jstr(info.reason));
    json_object_object_add(o, "verdict", jstr(verdict_of(dr)));
    json_object_object_add(o, "size", json_object_new_int64(info.size));
    json_object_object_add(o, "pages", json_object_new_int(info.pages));
    json_object_object_add(o, "revisions", json_object_new_int((int)info.revisions));
    json_object_object_add(o, "docmdp", json_object_new_int(info.docmdp));
    json_object *sigs = json_object_new_array();
    for (size_t i = 0; i < seal_report_signature_count(dr->rep); i++) {
        seal_signature_result s;
        seal_report_signature(dr->rep, i, &s);
        json_object *j = json_object_new_object(), *ch = json_object_new_array(),
                    *rect = json_object_new_array(), *pages = json_object_new_array();
        json_object_object_add(j, "field", jstr(s.field));
        json_object_object_add(j, "type", jstr(s.type));
        json_object_object_add(j, "subfilter", jstr(s.subfilter));
        json_object_object_add(j, "indication", jstr(seal_indication_name(s.indication)));
        json_object_object_add(j, "subindication", jstr(seal_subindication_name(s.subindication)));
        json_object_object_add(j, "reason", jstr(s.reason));
        json_object_object_add(j, "intact", json_object_new_boolean(s.intact));
        json_object_object_add(j, "byte_range_ok", json_object_new_boolean(s.byte_range_ok));
        json_object_object_add(j, "signer", jstr(s.signer));
        json_object_object_add(j, "signer_subject", jstr(s.signer_subject));
        json_object_object_add(j, "issuer", jstr(s.issuer));
        json_object_object_add(j, "serial", jstr(s.serial));
        json_object_object_add(j, "signing_time", jstr(s.signing_time));
        json_object_object_add(j, "time_trusted", json_object_new_boolean(s.time_trusted));
        json_object_object_add(j, "claimed_time", jstr(s.claimed_time));
        json_object_object_add(j, "timestamp", s.timestamp[0] ? jstr(s.timestamp) : NULL);
        json_object_object_add(j, "timestamp_ok", json_object_new_boolean(s.timestamp_ok));
        json_object_object_add(j, "level", jstr(s.level));
        json_object_object_add(j, "revision", json_object_new_int(s.revision));
        json_object_object_add(j, "changes_after", jstr(changes_name(s.changes_after)));
        for (size_t k = 0; k < s.change_count; k++) {
            seal_change_info c;
            seal_report_change(dr->rep, i, k, &c);
            json_object *cj = json_object_new_object();
            json_object_object_add(cj, "revision", json_object_new_int(c.revision));
            json_object_object_add(cj, "object", json_object_new_int(c.object));
            json_object_object_add(cj, "page", json_object_new_int(c.page));
            json_object_object_add(cj, "kind", jstr(c.kind));
            json_object_object_add(cj, "allowed", json_object_new_boolean(c.allowed));
            json_object_object_add(cj, "detail", jstr(c.detail));
            json_object_array_add(ch, cj);
        }
        json_object_object_add(j, "changes", ch);
        json_object_object_add(j, "page", json_object_new_int(s.page));
        for (int k = 0; k < 4; k++)
            json_object_array_add(rect, json_object_new_double(s.rect[k]));
        json_object_object_add(j, "rect", rect);
        for (size_t k = 0; k < s.page_count; k++)
            json_object_array_add(pages, json_object_new_int(s.pages[k]));
        json_object_object_add(j, "pages", pages);
        json_object_object_add(j, "seal_kind", jstr(s.seal_kind));
        json_object_object_add(j, "certify", json_object_new_int(s.certify));
        json_object_object_add(j, "chain_trusted", json_object_new_boolean(s.chain_trusted));
        json_object_object_add(j, "revocation", jstr(revocation_name(s.revocation)));
        json_object_object_add(j, "digest_algorithm", jstr(s.digest_algorithm));
        json_object_object_add(j, "key", jstr(s.key));
        if (va->deadline)
            json_object_object_add(j, "deadline", jstr(deadline_name(s.deadline)));
        json_object_array_add(sigs, j);
    }
    json_object_object_add(o, "signatures", sigs);
    if (va->nrules) {
        json_object *rules = json_object_new_array();
        for (int i = 0; i < dr->nrules; i++) {
            json_object *r = json_object_new_object();
            json_object_object_add(r, "rule", jstr(dr->rules[i].rule));
            json_object_object_add(r, "met", json_object_new_boolean(dr->rules[i].met));
            if (!dr->rules[i].met)
                json_object_object_add(r, "why", jstr(dr->rules[i].why));
            json_object_array_add(rules, r);
        }
        json_object_object_add(o, "rules", rules);
    }
    if (va->deadline)
        json_object_object_add(o, "deadline", jstr(va->deadline_text));
    return o;
}

/* ------------------------------------------------------------ text */

static void print_doc_text(FILE *f, const doc_result *dr, const verify_args *va)
{
    seal_report_info info;

    if (!dr->rep) {
        fprintf(f, "文件 File: %s\n结论 Verdict: ERROR — %s\n", dr->path, dr->error);
        return;
    }
    seal_report_document(dr->rep, &info);
    fprintf(f, "文件 File:      %s (%d page%s, %zu revision%s%s)\n", dr->path, info.pages,
            info.pages == 1 ? "" : "s", info.revisions, info.revisions == 1 ? "" : "s",
            info.docmdp ? ", certified" : "");
    fprintf(f, "结论 Verdict:   %s %s%s%s\n", verdict_of(dr), indication_zh(info.indication),
            info.reason[0] ? " — " : "", info.reason);
    for (size_t i = 0; i < seal_report_signature_count(dr->rep); i++) {
        seal_signature_result s;
        seal_report_signature(dr->rep, i, &s);
        fprintf(f, "\n签名 Signature %zu: '%s' (%s%s%s)\n", i + 1, s.field, s.type,
                s.subfilter[0] ? ", " : "", s.subfilter);
        fprintf(f, "  结论 Verdict:        %s%s%s (%s)\n", seal_indication_name(s.indication),
                s.subindication ? " / " : "", seal_subindication_name(s.subindication),
                indication_zh(s.indication));
        if (s.reason[0])
            fprintf(f, "  原因 Reason:         %s\n  说明 Meaning:        %s / %s\n", s.reason,
                    seal_subindication_text(s.subindication, 1), seal_subindication_text(s.subindication, 0));
        fprintf(f, "  签名者 Signer:       %s\n", s.signer[0] ? s.signer : "(unknown 未知)");
        if (s.issuer[0])
            fprintf(f, "  颁发者 Issuer:       %s\n", s.issuer);
        fprintf(f, "  签名时间 Time:       %s %s\n", s.signing_time[0] ? s.signing_time : "(none 无)",
                s.time_trusted ? "(时间戳证明 time-stamped)" : "(仅为声称 claimed only)");
        fprintf(f, "  级别 Level:          %s\n", s.level);
        fprintf(f, "  完整 Intact:         %s; ByteRange %s\n", s.intact ? "yes 是" : "no 否",
                s.byte_range_ok ? "ok 正常" : "bad 异常");
        fprintf(f, "  证书链 Chain:        %s\n", s.chain_trusted ? "trusted 受信任" : "not trusted 不受信任");
        fprintf(f, "  吊销 Revocation:     %s%s\n", revocation_name(s.revocation),
                s.revocation == SEAL_REVOCATION_NOT_CHECKED ? " (吊销状态未检查)" : "");
        fprintf(f, "  修订 Revision:       %d of %zu\n", s.revision, info.revisions);
        fprintf(f, "  之后修改 Changes:    %s\n", changes_name(s.changes_after));
        for (size_t k = 0; k < s.change_count; k++) {
            seal_change_info c;
            seal_report_change(dr->rep, i, k, &c);
            fprintf(f, "    %s revision %d: %s — %s\n", c.allowed ? "允许 allowed   " : "禁止 DISALLOWED",
                    c.revision, c.kind, c.detail);
        }
        if (s.page)
            fprintf(f, "  印章 Seal:           %s%s%s, page %d at [%.1f %.1f %.1f %.1f]%s\n",
                    s.seal_kind[0] ? s.seal_kind : "unrecorded", kind_zh(s.seal_kind)[0] ? " " : "",
                    kind_zh(s.seal_kind), s.page, s.rect[0], s.rect[1], s.rect[2], s.rect[3],
                    s.page_count > 1 ? " (several pages 跨页)" : "");
        else
            fprintf(f, "  印章 Seal:           invisible 不可见\n");
        if (s.certify)
            fprintf(f, "  认证 Certifies:      DocMDP P=%d\n", s.certify);
        if (va->deadline)
            fprintf(f, "  截止 Deadline:       %s\n", deadline_name(s.deadline));
    }
    if (seal_report_signature_count(dr->rep) == 0)
        fprintf(f, "\n(no signature 无签名)\n");
    for (int i = 0; i < dr->nrules; i++)
        fprintf(f, "规则 Rule %-14s %s%s%s\n", dr->rules[i].rule, dr->rules[i].met ? "met 满足" : "NOT MET 不满足",
                dr->rules[i].met ? "" : " — ", dr->rules[i].met ? "" : dr->rules[i].why);
    if (va->deadline)
        fprintf(f, "截止时间 Deadline %s: %s\n", va->deadline_text,
                dr->deadline_missed     ? "MISSED 超时"
                : dr->deadline_unproven ? "UNPROVEN (no time-stamp) 无时间戳，无法证明"
                                        : "met 满足");
}

/* Who submitted the bid: the signer of its company seal, else of its first
 * signature. */
static const char *bidder_of(const doc_result *dr)
{
    seal_signature_result s;
    const char *first = "";
    size_t n = dr->rep ? seal_report_signature_count(dr->rep) : 0;
    for (size_t i = 0; i < n; i++) {
        if (seal_report_signature(dr->rep, i, &s) != SEAL_OK || strcmp(s.type, "Sig"))
            continue;
        if (!strcmp(s.seal_kind, "company"))
            return s.signer;
        if (!*first)
            first = s.signer;
    }
    return first;
}

/* ------------------------------------------------------------ HTML */

static void html_esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void base64(FILE *f, const unsigned char *d, size_t n)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ? (unsigned)d[i + 1] << 8 : 0) |
                     (i + 2 < n ? d[i + 2] : 0);
        fputc(t[v >> 18 & 63], f);
        fputc(t[v >> 12 & 63], f);
        fputc(i + 1 < n ? t[v >> 6 & 63] : '=', f);
        fputc(i + 2 < n ? t[v & 63] : '=', f);
    }
}

static const char *verdict_class(const char *v)
{
    return !strcmp(v, "TOTAL-PASSED") ? "pass" : !strcmp(v, "INDETERMINATE") ? "indet" : "fail";
}

static void html_doc(FILE *f, const doc_result *dr, const verify_args *va)
{
    const char *v = verdict_of(dr);
    fprintf(f, "<section class=\"doc\">\n<div class=\"banner %s\" data-verdict=\"%s\"><b>", verdict_class(v), v);
    html_esc(f, v);
    fputs("</b> ", f);
    html_esc(f, dr->path);
    if (!dr->rep) {
        fputs(" — ", f);
        html_esc(f, dr->error);
        fputs("</div>\n</section>\n", f);
        return;
    }
    seal_report_info info;
    seal_report_document(dr->rep, &info);
    if (info.reason[0]) {
        fputs("<br><small>", f);
        html_esc(f, info.reason);
        fputs("</small>", f);
    }
    fprintf(f, "</div>\n<p>%d 页 pages, %zu 修订 revisions%s</p>\n", info.pages, info.revisions,
            info.docmdp ? ", 已认证 certified" : "");
    fputs("<table class=\"sigs\">\n<tr><th>#</th><th>字段 Field</th><th>结论 Verdict</th><th>签名者 Signer</th>"
          "<th>时间 Time</th><th>级别 Level</th><th>印章 Seal</th><th>页面区域 Page region</th>"
          "<th>之后修改 Changes after</th></tr>\n",
          f);
    for (size_t i = 0; i < seal_report_signature_count(dr->rep); i++) {
        seal_signature_result s;
        const unsigned char *png;
        size_t len;
        seal_report_signature(dr->rep, i, &s);
        fprintf(f, "<tr class=\"sig %s\"><td>%zu</td><td>", verdict_class(seal_indication_name(s.indication)), i + 1);
        html_esc(f, s.field);
        fprintf(f, "</td><td><b>%s</b> %s<br>%s", seal_indication_name(s.indication),
                indication_zh(s.indication), seal_subindication_name(s.subindication));
        if (s.reason[0]) {
            fputs("<br><small>", f);
            html_esc(f, s.reason);
            fputs("</small>", f);
        }
        fputs("</td><td>", f);
        html_esc(f, s.signer);
        fputs("<br><small>", f);
        html_esc(f, s.issuer);
        fputs("</small></td><td>", f);
        html_esc(f, s.signing_time);
        fprintf(f, "<br><small>%s</small></td><td>%s</td><td>", s.time_trusted ? "时间戳 time-stamped" : "仅声称 claimed only",
                s.level);
        if (seal_report_png(dr->rep, i, 0, &png, &len) == SEAL_OK) {
            fputs("<img class=\"seal\" alt=\"seal\" src=\"data:image/png;base64,", f);
            base64(f, png, len);
            fputs("\"><br>", f);
        }
        html_esc(f, s.seal_kind);
        fprintf(f, " %s", kind_zh(s.seal_kind));
        if (s.page)
            fprintf(f, "<br>page %d", s.page);
        fputs("</td><td>", f);
        if (seal_report_png(dr->rep, i, 1, &png, &len) == SEAL_OK) {
            fputs("<img class=\"region\" alt=\"page region\" src=\"data:image/png;base64,", f);
            base64(f, png, len);
            fputs("\">", f);
        }
        fprintf(f, "</td><td>%s", changes_name(s.changes_after));
        if (s.change_count) {
            fputs("<ul>", f);
            for (size_t k = 0; k < s.change_count; k++) {
                seal_change_info c;
                seal_report_change(dr->rep, i, k, &c);
                fprintf(f, "<li class=\"%s\">", c.allowed ? "ok" : "bad");
                html_esc(f, c.kind);
                fputs(": ", f);
                html_esc(f, c.detail);
                /* What the signer saw beside what is shown now. */
                for (int w = 0; w < 2; w++)
                    if (seal_report_change_png(dr->rep, i, k, w, &png, &len) == SEAL_OK) {
                        fprintf(f, "<figure class=\"crop\"><img alt=\"%s\" src=\"data:image/png;base64,",
                                w ? "now" : "signed");
                        base64(f, png, len);
                        fprintf(f, "\"><figcaption>%s</figcaption></figure>",
                                w ? "现在 now" : "签名时 when signed");
                    }
                fputs("</li>", f);
            }
            fputs("</ul>", f);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    if (dr->nrules || va->deadline) {
        fputs("<ul class=\"rules\">", f);
        for (int i = 0; i < dr->nrules; i++) {
            fprintf(f, "<li class=\"%s\">规则 rule ", dr->rules[i].met ? "ok" : "bad");
            html_esc(f, dr->rules[i].rule);
            fputs(dr->rules[i].met ? ": met 满足" : ": NOT MET 不满足 — ", f);
            if (!dr->rules[i].met)
                html_esc(f, dr->rules[i].why);
            fputs("</li>", f);
        }
        if (va->deadline) {
            fprintf(f, "<li class=\"%s\">截止时间 deadline ", dr->deadline_missed || dr->deadline_unproven ? "bad" : "ok");
            html_esc(f, va->deadline_text);
            fprintf(f, ": %s</li>", dr->deadline_missed ? "MISSED 超时" : dr->deadline_unproven ? "unproven 无法证明" : "met 满足");
        }
        fputs("</ul>\n", f);
    }
    fputs("</section>\n", f);
}

static int write_html(const char *out, doc_result *docs, int n, const verify_args *va)
{
    char tmp[4096];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", out, (long)getpid());
    f = fopen(tmp, "w");
    if (!f) {
        cli_error("cannot write %s: %s", out, strerror(errno));
        return -1;
    }
    fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n"
          "<title>签名验证报告 Signature verification report</title>\n<style>\n"
          "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
          ".banner{padding:.8em 1em;border-radius:6px;font-size:1.2em;margin:.5em 0}\n"
          ".banner.pass{background:#d9f2d9;border:2px solid #2e7d32}\n"
          ".banner.fail{background:#fde0e0;border:2px solid #c62828}\n"
          ".banner.indet{background:#fff4d6;border:2px solid #f9a825}\n"
          "table{border-collapse:collapse;width:100%}td,th{border:1px solid #bbb;padding:.4em;vertical-align:top}\n"
          "tr.pass td:nth-child(3){background:#eef9ee}tr.fail td:nth-child(3){background:#fdeeee}\n"
          "tr.indet td:nth-child(3){background:#fffaea}img.seal{max-width:160px;max-height:160px}\n"
          "img.region{max-width:320px;border:1px solid #ccc}figure.crop{display:inline-block;margin:4px}"
          "figure.crop img{border:1px solid #ccc}li.bad{color:#c62828}li.ok{color:#2e7d32}\n"
          "</style></head><body>\n<h1>签名验证报告 Signature verification report</h1>\n",
          f);
    if (n > 1) {
        fputs("<table class=\"summary\"><tr><th>文件 File</th><th>投标人 Bidder</th><th>印章 Seals</th>"
              "<th>结论 Verdict</th></tr>\n",
              f);
        for (int i = 0; i < n; i++) {
            fprintf(f, "<tr class=\"%s\"><td>", verdict_class(verdict_of(&docs[i])));
            html_esc(f, docs[i].path);
            fputs("</td><td>", f);
            html_esc(f, bidder_of(&docs[i]));
            fprintf(f, "</td><td>%zu</td><td>%s</td></tr>\n",
                    docs[i].rep ? seal_report_signature_count(docs[i].rep) : 0, verdict_of(&docs[i]));
        }
        fputs("</table>\n", f);
    }
    for (int i = 0; i < n; i++)
        html_doc(f, &docs[i], va);
    fputs("</body></html>\n", f);
    if (fclose(f) != 0 || rename(tmp, out) != 0) {
        cli_error("cannot write %s: %s", out, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ main */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_pdf_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && !strcasecmp(name + n - 4, ".pdf");
}

/* The PDFs of a folder of submissions, sorted by name. */
static char **list_dir(const char *dir, int *count)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    int n = 0, cap = 0;

    *count = 0;
    if (!d)
        return NULL;
    while ((e = readdir(d)) != NULL && n < MAX_DIR_FILES) {
        if (e->d_name[0] == '.' || !has_pdf_suffix(e->d_name))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, (size_t)cap * sizeof(*nn));
            if (!nn)
                break;
            names = nn;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n])
            break;
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, (size_t)n, sizeof(*names), cmp_str);
    *count = n;
    return names;
}

static void print_summary(doc_result *docs, int n)
{
    printf("%-40s %-24s %5s  %s\n", "文件 File", "投标人 Bidder", "印章 Seals", "结论 Verdict");
    for (int i = 0; i < n; i++) {
        const char *bidder = bidder_of(&docs[i]);
        size_t nsig = docs[i].rep ? seal_report_signature_count(docs[i].rep) : 0;
        const char *base = strrchr(docs[i].path, '/');
        printf("%-40s %-24s %5zu  %s%s%s\n", base ? base + 1 : docs[i].path, bidder, nsig,
               verdict_of(&docs[i]), docs[i].rep ? "" : " — ", docs[i].rep ? "" : docs[i].error);
    }
}

int cmd_verify(int argc, char **argv)
{
    static const struct option longopts[] = {{"trust", required_argument, NULL, 't'},
                                             {"deadline", required_argument, NULL, 'd'},
                                             {"require", required_argument, NULL, 'r'},
                                             {"revocation", required_argument, NULL, 'R'},
                                             {"allow-legacy", no_argument, NULL, 'L'},
                                             {"online", no_argument, NULL, 'o'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"html", required_argument, NULL, 'H'},
                                             {"password-env", required_argument, NULL, 'E'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *trust[MAX_TRUST];
    seal_verify_options opts = SEAL_VERIFY_OPTIONS_INIT;
    verify_args va;
    const char *html = NULL;
    int json = 0, c, ntrust = 0, ndocs = 0, is_dir = 0, rc = EXIT_OK;
    char **files = NULL;
    doc_result *docs = NULL;
    seal_ctx *ctx = NULL;
    struct stat st;

    memset(&va, 0, sizeof(va));
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 't':
            if (ntrust >= MAX_TRUST)
                return cli_usage(synopsis, "at most %d --trust options", MAX_TRUST);
            trust[ntrust++] = optarg;
            break;
        case 'd':
            if (parse_iso(optarg, &va.deadline) != 0)
                return cli_usage(synopsis, "--deadline %s is not an ISO 8601 time (e.g. 2026-12-01T09:30:00+08:00)",
                                 optarg);
            va.deadline_text = optarg;
            break;
        case 'r':
            if (va.nrules >= MAX_RULES)
                return cli_usage(synopsis, "at most %d --require rules", MAX_RULES);
            if (!valid_rule(optarg))
                return cli_usage(synopsis, "unknown rule '%s'", optarg);
            va.rules[va.nrules++] = optarg;
            break;
        case 'R':
            if (!strcmp(optarg, "require"))
                opts.flags |= SEAL_VERIFY_REVOCATION_REQUIRE;
            else if (strcmp(optarg, "soft") != 0)
                return cli_usage(synopsis, "--revocation takes soft or require");
            break;
        case 'L': opts.flags |= SEAL_VERIFY_ALLOW_LEGACY; break;
        case 'o': opts.flags |= SEAL_VERIFY_ONLINE; break;
        case 'j': json = 1; break;
        case 'H':
            html = optarg;
            opts.flags |= SEAL_VERIFY_RENDER;
            break;
        case 'E':
            opts.password = cli_password_env(optarg);
            if (!opts.password)
                return EXIT_USAGE;
            break;
        case 'h': printf("usage: %s\n", synopsis); return EXIT_OK;
        default: return cli_usage(synopsis, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage(synopsis, optind >= argc ? "no input PDF or folder given"
                                                  : "one input (a PDF or a folder) at a time");
    opts.trust = trust;
    opts.trust_count = (size_t)ntrust;
    opts.deadline = va.deadline;

    const char *in = argv[optind];
    if (stat(in, &st) != 0) {
        cli_error("cannot open %s: %s", in, strerror(errno));
        return EXIT_INPUT;
    }
    if (S_ISDIR(st.st_mode)) {
        is_dir = 1;
        files = list_dir(in, &ndocs);
        if (!ndocs) {
            cli_error("no PDF files in %s", in);
            free(files);
            return EXIT_INPUT;
        }
    } else {
        files = malloc(sizeof(*files));
        if (!files || !(files[0] = strdup(in))) {
            free(files);
            cli_error("out of memory");
            return EXIT_FAILED;
        }
        ndocs = 1;
    }
    docs = calloc((size_t)ndocs, sizeof(*docs));
    ctx = cli_ctx_new();
    if (!docs || !ctx) {
        rc = EXIT_FAILED;
        goto out;
    }

    int worst_fail = 0, any_input = 0, any_indet = 0;
    for (int i = 0; i < ndocs; i++) {
        doc_result *dr = &docs[i];
        dr->path = files[i];
        dr->st = seal_verify_file(ctx, files[i], &opts, &dr->rep);
        if (dr->st != SEAL_OK) {
            snprintf(dr->error, sizeof(dr->error), "%s", seal_ctx_message(ctx));
            /* Bad trust anchors or options fail every file alike. */
            if (dr->st == SEAL_ERR_ARGS) {
                rc = cli_fail(ctx, dr->st);
                goto out;
            }
        }
        judge(dr, &va);
        worst_fail |= dr->exit_code == EXIT_FAILED;
        any_input |= dr->exit_code != EXIT_OK && dr->exit_code != EXIT_FAILED &&
                     dr->exit_code != EXIT_INDETERMINATE;
        any_indet |= dr->exit_code == EXIT_INDETERMINATE;
    }
    if (!is_dir && !docs[0].rep) {
        rc = cli_fail(ctx, docs[0].st);
        goto out;
    }

    if (json) {
        json_object *o;
        if (is_dir) {
            o = json_object_new_object();
            json_object *arr = json_object_new_array();
            json_object_object_add(o, "directory", jstr(in));
            for (int i = 0; i < ndocs; i++)
                json_object_array_add(arr, doc_json(&docs[i], &va));
            json_object_object_add(o, "documents", arr);
        } else {
            o = doc_json(&docs[0], &va);
        }
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
    } else if (is_dir) {
        print_summary(docs, ndocs);
    } else {
        print_doc_text(stdout, &docs[0], &va);
    }
    if (html && write_html(html, docs, ndocs, &va) != 0) {
        rc = EXIT_INPUT;
        goto out;
    }
    /* Unmet rules and failures first, then unusable files, then doubt. */
    rc = worst_fail ? EXIT_FAILED : any_input ? EXIT_INPUT : any_indet ? EXIT_INDETERMINATE : EXIT_OK;
    if (!is_dir && rc == EXIT_FAILED) {
        for (int i = 0; i < docs[0].nrules; i++)
            if (!docs[0].rules[i].met)
                cli_error("rule %s not met: %s", docs[0].rules[i].rule, docs[0].rules[i].why);
        if (docs[0].deadline_missed)
            cli_error("deadline %s missed: a time-stamped signature is later", va.deadline_text);
    }
out:
    for (int i = 0; docs && i < ndocs; i++)
        seal_report_free(docs[i].rep);
    for (int i = 0; files && i < ndocs; i++)
        free(files[i]);
    free(files);
    free(docs);
    seal_ctx_free(ctx);
    return rc;
}
