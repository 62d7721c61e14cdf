// The eight GSS-API functions (and one constant) libgit2 uses for Kerberos ("Negotiate")
// authentication to HTTPS remotes, loading MIT Kerberos only when a remote first asks for it.
//
// Linked into the executable only with libgit2's static archive (see CMakeLists.txt). Without this
// file the executable needs libgssapi_krb5 at start, and with it six more libraries (libkrb5,
// libk5crypto, libcom_err, libkrb5support, libkeyutils, libresolv) whose loading and constructors
// cost about 2.4 ms of every start on the machines we measured — a quarter of the start-up
// budget — for a feature few users touch. When the library is missing, Negotiate authentication
// reports itself unavailable and libgit2 falls back to the other methods.
//
// Signatures are those of RFC 2744 (the C bindings of GSS-API v2). The handle types are opaque
// pointers, so the forwarders pass them through without the Kerberos headers.
#include <dlfcn.h>

#include <cstdint>

namespace {

using OmUint32 = uint32_t;
// GSS_S_UNAVAILABLE: "the operation or option is unavailable" (RFC 2744, section 3.9.1).
constexpr OmUint32 kUnavailable = 16u << 16;

void* kerberos() {
  // A function-local static: loaded once, thread-safely, on first use; never unloaded.
  static void* const handle = ::dlopen("libgssapi_krb5.so.2", RTLD_NOW | RTLD_LOCAL);
  return handle;
}

template <typename Function>
Function* find(const char* name) {
  void* handle = kerberos();
  return handle ? reinterpret_cast<Function*>(::dlsym(handle, name)) : nullptr;
}

// Defines `name` to forward to the library's function of the same name, resolved once.
#define BENCHTOP_GSS_FORWARD(name, params, args)           \
  extern "C" OmUint32 name params {                        \
    using Function = OmUint32 params;                      \
    static Function* const target = find<Function>(#name); \
    if (!target) {                                         \
      if (minor_status) *minor_status = 0;                 \
      return kUnavailable;                                 \
    }                                                      \
    return target args;                                    \
  }

// gss_OID_desc: an object identifier as its DER-encoded bytes.
struct ObjectIdentifier {
  OmUint32 length;
  const void* elements;
};

// 1.2.840.113554.1.2.1.4, the host-based service name type (RFC 2744, section 4.1). GSS-API
// implementations compare name types by value, so this copy is as good as the library's.
const ObjectIdentifier kHostBasedServiceName = {10, "\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04"};

}  // namespace

// The one data symbol libgit2 takes from GSS-API: a pointer to the name type above.
extern "C" {
const ObjectIdentifier* GSS_C_NT_HOSTBASED_SERVICE = &kHostBasedServiceName;
}

BENCHTOP_GSS_FORWARD(gss_indicate_mechs, (OmUint32 * minor_status, void** mech_set),
                     (minor_status, mech_set))
BENCHTOP_GSS_FORWARD(gss_import_name,
                     (OmUint32 * minor_status, void* input_name_buffer, void* input_name_type,
                      void** output_name),
                     (minor_status, input_name_buffer, input_name_type, output_name))
BENCHTOP_GSS_FORWARD(gss_init_sec_context,
                     (OmUint32 * minor_status, void* initiator_cred_handle, void** context_handle,
                      void* target_name, void* mech_type, OmUint32 req_flags, OmUint32 time_req,
                      void* input_chan_bindings, void* input_token, void** actual_mech_type,
                      void* output_token, OmUint32* ret_flags, OmUint32* time_rec),
                     (minor_status, initiator_cred_handle, context_handle, target_name, mech_type,
                      req_flags, time_req, input_chan_bindings, input_token, actual_mech_type,
                      output_token, ret_flags, time_rec))
BENCHTOP_GSS_FORWARD(gss_display_status,
                     (OmUint32 * minor_status, OmUint32 status_value, int status_type,
                      void* mech_type, OmUint32* message_context, void* status_string),
                     (minor_status, status_value, status_type, mech_type, message_context,
                      status_string))
BENCHTOP_GSS_FORWARD(gss_delete_sec_context,
                     (OmUint32 * minor_status, void** context_handle, void* output_token),
                     (minor_status, context_handle, output_token))
BENCHTOP_GSS_FORWARD(gss_release_buffer, (OmUint32 * minor_status, void* buffer),
                     (minor_status, buffer))
BENCHTOP_GSS_FORWARD(gss_release_name, (OmUint32 * minor_status, void** name), (minor_status, name))
BENCHTOP_GSS_FORWARD(gss_release_oid_set, (OmUint32 * minor_status, void** set),
                     (minor_status, set))
