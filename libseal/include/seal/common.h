/*
 * libseal — electronic seals on PDF documents.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 *
 * common.h: the context, status codes, version and export macros shared by
 * every other header of the family.
 *
 * Thread safety: a seal_ctx and every object made with it belong to one
 * thread at a time. Different contexts are independent and may be used from
 * different threads at once; the library keeps no other mutable global state
 * (the process-wide MuPDF lock set is created once and never freed).
 */
#ifndef SEAL_COMMON_H
#define SEAL_COMMON_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(SEAL_BUILDING) && defined(__GNUC__)
#define SEAL_API __attribute__((visibility("default")))
#else
#define SEAL_API
#endif

/* Deprecated names stay exported and working (additions only); define
 * SEAL_DEPRECATION_WARNINGS before including to have the compiler point
 * at each use. */
#if defined(SEAL_DEPRECATION_WARNINGS) && defined(__GNUC__)
#define SEAL_DEPRECATED(use) __attribute__((deprecated("use " use)))
#else
#define SEAL_DEPRECATED(use)
#endif

#define SEAL_VERSION_MAJOR 0
#define SEAL_VERSION_MINOR 1
#define SEAL_VERSION_PATCH 0
#define SEAL_VERSION_STRING "0.1.0"
#define SEAL_VERSION_NUMBER \
    (SEAL_VERSION_MAJOR * 10000 + SEAL_VERSION_MINOR * 100 + SEAL_VERSION_PATCH)

/* The library's version string, e.g. "0.1.0"; static storage. */
SEAL_API const char *seal_version(void);

/*
 * Status codes. Zero is success, errors are negative. The numbers are part
 * of the ABI: codes are only ever appended, never renumbered or reused.
 */
typedef enum seal_status {
    SEAL_OK = 0,
    SEAL_ERR_GENERIC = -1,        /* an error with no better code */
    SEAL_ERR_ARGS = -2,           /* invalid argument or option */
    SEAL_ERR_NOMEM = -3,          /* out of memory */
    SEAL_ERR_IO = -4,             /* cannot read or write a file */
    SEAL_ERR_INPUT = -5,          /* unusable input: not a PDF, corrupt, truncated */
    SEAL_ERR_UNSUPPORTED = -6,    /* valid input using something not supported */
    SEAL_ERR_REFUSED = -7,        /* the document forbids it (DocMDP, FieldMDP, signed field) */
    SEAL_ERR_PASSWORD = -8,       /* encrypted document: password missing or wrong */
    SEAL_ERR_TOKEN = -9,          /* PKCS#11 module or token unusable or not found */
    SEAL_ERR_KEY_NOT_FOUND = -10, /* no key (or certificate) matches */
    SEAL_ERR_PIN_INCORRECT = -11, /* wrong PIN or password */
    SEAL_ERR_PIN_LOCKED = -12,    /* PIN locked: the token refuses every login */
    SEAL_ERR_CERT = -13,          /* certificate unusable: key usage, expired, not yet valid */
    SEAL_ERR_CRYPTO = -14,        /* a cryptographic operation failed */
    SEAL_ERR_NETWORK = -15,       /* a network service could not be reached */
    SEAL_ERR_SCAN_REJECTED = -16, /* the scan cannot be enrolled */
    SEAL_ERR_NOT_FOUND = -17,     /* a keyword, page or field named does not exist */
    SEAL_ERR_CANCELLED = -18,     /* the caller cancelled (e.g. PIN prompt aborted) */
    SEAL_ERR_INTERNAL = -19       /* a bug in libseal */
} seal_status;

/* A fixed English name for a status, e.g. "PIN incorrect"; never NULL. */
SEAL_API const char *seal_status_str(seal_status status);

/* The library context: MuPDF context, last error, warning callback. */
typedef struct seal_ctx seal_ctx;

/*
 * Create a context. Returns SEAL_OK, or SEAL_ERR_NOMEM (with *out NULL).
 */
SEAL_API seal_status seal_ctx_new(seal_ctx **out);

/* Free a context; NULL is allowed. Objects made with it must be freed first. */
SEAL_API void seal_ctx_free(seal_ctx *ctx);

/*
 * The one-line message describing the last error returned by a function
 * called with this context ("" when the last call succeeded). The pointer
 * stays valid until the next call with the context.
 */
SEAL_API const char *seal_ctx_message(const seal_ctx *ctx);

/* The status the last call with this context returned. */
SEAL_API seal_status seal_ctx_status(const seal_ctx *ctx);

/*
 * Warnings (e.g. "certificate expires in 12 days") are passed to this
 * callback as one line each, in the calling thread; without one they are
 * dropped. The library never prints.
 */
typedef void (*seal_warning_cb)(void *user, const char *message);
SEAL_API void seal_ctx_set_warning_cb(seal_ctx *ctx, seal_warning_cb cb, void *user);

/*
 * Remove from `dir` the temporary files ("*.seal-HOST~PID~*") that
 * interrupted libseal runs of this host left behind: only those whose
 * process no longer runs, so concurrent runs writing to the same directory
 * (shards of one batch) and other machines' files on a shared directory are
 * left alone. *removed (may be NULL) receives the count. Returns SEAL_OK or
 * SEAL_ERR_IO.
 */
SEAL_API seal_status seal_clean_temporaries(seal_ctx *ctx, const char *dir, int *removed);

/*
 * Create an empty temporary file beside `target`, named as libseal names
 * its own (".NAME.seal-HOST~PID~XXXXXX"), and put its path in `path`
 * (`size` bytes). For callers that keep intermediate files beside their
 * outputs: seal_clean_temporaries removes such a file once this process is
 * gone, and never while it runs. The caller removes it when done. Returns
 * SEAL_OK, SEAL_ERR_ARGS (path too long) or SEAL_ERR_IO.
 */
SEAL_API seal_status seal_temp_path(seal_ctx *ctx, const char *target, char *path, size_t size);

/*
 * Nothing lost: the check every command makes before it writes anything.
 *
 * `inputs` are the files the command reads (documents, scans, artwork, PIN
 * files, chains, trust anchors, PKCS#12 files, job files); an input naming a
 * directory stands for every file directly in it (a folder of bids, a trust
 * directory). `outputs` are the files it will write, existing or not. NULL
 * entries are skipped, so optional options can be passed as they are.
 *
 * Two paths are one file when both exist with the same device and inode
 * (symlinks and hard links included), or when neither exists and both
 * normalise to one path (the real path of the nearest existing directory,
 * then the rest of the name: "./", "../dir/", symlinked directories). A
 * caller that places outputs in a directory passes the paths of the files it
 * will create there (DIR/NAME), not the directory.
 *
 * Returns SEAL_OK, or SEAL_ERR_ARGS with a one-line message naming both
 * paths when an output would replace an input or two outputs are one file,
 * or when an output is an existing directory or lies below a file. Nothing
 * is created or written either way.
 */
SEAL_API seal_status seal_paths_check(seal_ctx *ctx, const char *const *inputs, size_t n_inputs,
                                      const char *const *outputs, size_t n_outputs);

/*
 * An output file written whole or not at all, the way libseal writes its
 * own: the bytes go to a temporary file beside the target (named as
 * seal_temp_path names them), which seal_output_commit flushes to disk
 * (fsync) and renames onto the target. Until then the target is untouched;
 * seal_output_free without a commit removes the temporary file, so a
 * failure leaves no file behind. Errors name the target, e.g. "cannot write
 * report.html: No space left on device".
 *
 * With SEAL_OUTPUT_APPEND the new file starts with the target's current
 * content (if any), and the whole is renamed into place at the commit.
 *
 * An output belongs to the context it was opened with. seal_output_open
 * returns SEAL_OK, SEAL_ERR_ARGS, SEAL_ERR_NOMEM or SEAL_ERR_IO;
 * seal_output_write and seal_output_commit SEAL_OK or SEAL_ERR_IO (after a
 * commit, successful or not, only seal_output_free is allowed).
 */
typedef struct seal_output seal_output;
#define SEAL_OUTPUT_APPEND 0x01u
SEAL_API seal_status seal_output_open(seal_ctx *ctx, seal_output **out, const char *path,
                                      unsigned flags);
SEAL_API seal_status seal_output_write(seal_output *out, const void *data, size_t len);
SEAL_API seal_status seal_output_commit(seal_output *out);
/* Free an output; NULL is allowed. Uncommitted data is discarded. */
SEAL_API void seal_output_free(seal_output *out);

/* Open, write `len` bytes, commit: one whole file at `path` or none. */
SEAL_API seal_status seal_file_write(seal_ctx *ctx, const char *path, const void *data, size_t len,
                                     unsigned flags);

#ifdef __cplusplus
}
#endif

#endif /* SEAL_COMMON_H */
