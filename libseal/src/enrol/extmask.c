/*
 * Enrolment's result: the mask object (seal_mask_*) and the issues recorded
 * on it while extracting.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "enrol_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void seal__mask_add_issue(seal_mask *m, seal_decision sev, const char *code, const char *fmt, ...)
{
    va_list ap;
    if (m->info.issue_count >= SEAL_MAX_ISSUES)
        return;
    for (size_t i = 0; i < m->info.issue_count; i++)
        if (!strcmp(m->issues[i].code, code))
            return; /* one issue per code: the first message says it */
    struct seal_issue_rec *r = &m->issues[m->info.issue_count++];
    r->severity = sev;
    snprintf(r->code, sizeof(r->code), "%s", code);
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof(r->message), fmt, ap);
    va_end(ap);
    if (sev > m->info.decision)
        m->info.decision = sev;
}

int seal__mask_has_issue(const seal_mask *m, const char *code)
{
    for (size_t i = 0; i < m->info.issue_count; i++)
        if (!strcmp(m->issues[i].code, code))
            return 1;
    return 0;
}

SEAL_API void seal_mask_free(seal_mask *mask)
{
    if (!mask)
        return;
    free(mask->bits);
    free(mask);
}

SEAL_API void seal_mask_info_get(const seal_mask *mask, seal_mask_info *out)
{
    if (!out)
        return;
    if (!mask) {
        memset(out, 0, sizeof(*out));
        return;
    }
    *out = mask->info;
}

SEAL_API seal_status seal_mask_issue(const seal_mask *mask, size_t i, seal_issue *out)
{
    if (!mask || !out || i >= mask->info.issue_count)
        return SEAL_ERR_ARGS;
    out->severity = mask->issues[i].severity;
    out->code = mask->issues[i].code;
    out->message = mask->issues[i].message;
    return SEAL_OK;
}

SEAL_API const unsigned char *seal_mask_bits(const seal_mask *mask)
{
    return mask ? mask->bits : NULL;
}
