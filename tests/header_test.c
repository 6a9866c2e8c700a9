/* The public header compiles alone as strict C99. */
#include <seal/seal.h>
int seal_header_test_c(void);
int seal_header_test_c(void)
{
    seal_sign_options o = SEAL_SIGN_OPTIONS_INIT;
    seal_key_options k = SEAL_KEY_OPTIONS_INIT;
    return (int)o.version + (int)k.version + SEAL_OK;
}
