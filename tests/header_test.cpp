// The public header compiles alone as C++.
#include <seal/seal.h>
int seal_header_test_cxx();
int seal_header_test_cxx()
{
    seal_sign_options o = SEAL_SIGN_OPTIONS_INIT;
    seal_key_options k = SEAL_KEY_OPTIONS_INIT;
    return static_cast<int>(o.version + k.version) + SEAL_OK;
}
