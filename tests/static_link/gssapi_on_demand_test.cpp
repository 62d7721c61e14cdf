// The GSS-API forwarders linked into the executable in place of libgssapi_krb5 (see
// app/static_link/gssapi_on_demand.cpp). This program links them, and not the library, the same
// way: every call below goes through a forwarder that loads Kerberos on first use.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

namespace {

using OmUint32 = uint32_t;
struct Buffer {
  size_t length;
  void* value;
};
struct ObjectIdentifier {
  OmUint32 length;
  const void* elements;
};

}  // namespace

extern "C" {
extern const ObjectIdentifier* GSS_C_NT_HOSTBASED_SERVICE;
OmUint32 gss_indicate_mechs(OmUint32* minor_status, void** mech_set);
OmUint32 gss_release_oid_set(OmUint32* minor_status, void** set);
OmUint32 gss_import_name(OmUint32* minor_status, void* input_name_buffer, void* input_name_type,
                         void** output_name);
OmUint32 gss_release_name(OmUint32* minor_status, void** name);
OmUint32 gss_display_status(OmUint32* minor_status, OmUint32 status_value, int status_type,
                            void* mech_type, OmUint32* message_context, void* status_string);
OmUint32 gss_release_buffer(OmUint32* minor_status, void* buffer);
}

namespace {

constexpr OmUint32 kComplete = 0;

TEST(GssapiOnDemand, ForwardsToTheKerberosLibraryLoadedOnFirstUse) {
  OmUint32 minor = 0;
  void* mechanisms = nullptr;
  ASSERT_EQ(gss_indicate_mechs(&minor, &mechanisms), kComplete);
  ASSERT_NE(mechanisms, nullptr);
  EXPECT_EQ(gss_release_oid_set(&minor, &mechanisms), kComplete);
  EXPECT_EQ(mechanisms, nullptr);
}

TEST(GssapiOnDemand, OurHostBasedServiceNameTypeIsTheLibrarys) {
  // libgit2 names the server "HTTP@host" with this name type; it must be the very OID the
  // library defines.
  void* library = ::dlopen("libgssapi_krb5.so.2", RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(library, nullptr);
  const auto* theirs =
      *static_cast<const ObjectIdentifier* const*>(::dlsym(library, "GSS_C_NT_HOSTBASED_SERVICE"));
  ASSERT_NE(theirs, nullptr);
  const ObjectIdentifier* ours = GSS_C_NT_HOSTBASED_SERVICE;
  ASSERT_EQ(ours->length, theirs->length);
  EXPECT_EQ(std::memcmp(ours->elements, theirs->elements, ours->length), 0);

  char service[] = "HTTP@git.example.com";
  Buffer name_text{std::strlen(service), service};
  OmUint32 minor = 0;
  void* name = nullptr;
  ASSERT_EQ(gss_import_name(&minor, &name_text, const_cast<ObjectIdentifier*>(ours), &name),
            kComplete);
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(gss_release_name(&minor, &name), kComplete);
}

TEST(GssapiOnDemand, StatusMessagesComeFromTheLibrary) {
  constexpr OmUint32 kBadNameType = 3u << 16;  // GSS_S_BAD_NAMETYPE
  constexpr int kGssCode = 1;                  // GSS_C_GSS_CODE
  OmUint32 minor = 0;
  OmUint32 context = 0;
  Buffer text{0, nullptr};
  ASSERT_EQ(gss_display_status(&minor, kBadNameType, kGssCode, nullptr, &context, &text),
            kComplete);
  ASSERT_NE(text.value, nullptr);
  EXPECT_GT(text.length, 0u);
  EXPECT_EQ(gss_release_buffer(&minor, &text), kComplete);
}

}  // namespace
