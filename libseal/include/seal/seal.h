/*
 * libseal — electronic seals on PDF documents for public tendering.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 *
 * The one header to include. Thread safety: one seal_ctx per thread; every
 * object belongs to the context it was made with; contexts are independent.
 * No function prints or exits; errors come back as a seal_status with a
 * one-line message on the context (seal_ctx_message).
 */
#ifndef SEAL_SEAL_H
#define SEAL_SEAL_H

#include "common.h"
#include "key.h"
#include "sign.h"
#include "inspect.h"
#include "verify.h"
#include "report.h"
#include "enrol.h"
#include "make.h"
#include "envelope.h"
#include "eseal.h"

#endif /* SEAL_SEAL_H */
