/*
 * Enrolment image maths: clamping, percentiles of values, quantiles of
 * histograms and Otsu's threshold, shared by the steps of extraction.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "enrol_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double seal__clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

int seal__cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Percentile of n values (sorts them). */
double seal__percentile(double *v, size_t n, double p)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof(*v), seal__cmp_double);
    size_t i = (size_t)seal__clampd(p * (double)(n - 1) + 0.5, 0, (double)(n - 1));
    return v[i];
}

/* Value below which a share p of a histogram's mass lies. */
int seal__hist_quantile(const unsigned *h, int nbins, double p)
{
    unsigned long long tot = 0, acc = 0;
    for (int i = 0; i < nbins; i++)
        tot += h[i];
    if (!tot)
        return 0;
    for (int i = 0; i < nbins; i++) {
        acc += h[i];
        if ((double)acc >= p * (double)tot)
            return i;
    }
    return nbins - 1;
}

/* Otsu's threshold of a histogram. */
int seal__otsu(const double *h, int n)
{
    double tot = 0, sum = 0, wb = 0, sb = 0, best = -1;
    int t = n / 2;
    for (int i = 0; i < n; i++) {
        tot += h[i];
        sum += i * h[i];
    }
    for (int i = 0; i < n; i++) {
        wb += h[i];
        if (wb <= 0)
            continue;
        double wf = tot - wb;
        if (wf <= 0)
            break;
        sb += i * h[i];
        double mb = sb / wb, mf = (sum - sb) / wf;
        double v = wb * wf * (mb - mf) * (mb - mf);
        if (v > best) {
            best = v;
            t = i;
        }
    }
    return t;
}
