/*
 * Times: ASN.1 times (certificates, CRLs, OCSP, time-stamps) as Unix
 * seconds, and Unix seconds as ISO 8601 UTC text. One home for both.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "internal.h"

#include <time.h>

#include <openssl/asn1.h>

long long seal__asn1_time(const ASN1_TIME *t)
{
    struct tm tm;
    if (!t || !ASN1_TIME_to_tm(t, &tm))
        return 0;
    return (long long)timegm(&tm);
}

static void format(long long t, const char *fmt, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!t || !gmtime_r(&tt, &tm) || !strftime(buf, size, fmt, &tm)) {
        if (size)
            buf[0] = 0;
    }
}

void seal__iso_time(long long t, char *buf, size_t size)
{
    format(t, "%Y-%m-%dT%H:%M:%SZ", buf, size);
}

void seal__iso_date(long long t, char *buf, size_t size)
{
    format(t, "%Y-%m-%d", buf, size);
}
