#include <msrp/transport/tls.hpp>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <climits>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace msrp::tls {
namespace {

class tls_category final : public std::error_category {
public:
    const char* name() const noexcept override { return "msrp.tls"; }

    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
        case errc::fingerprint_mismatch: return "the peer's certificate does not match the fingerprint from its SDP";
        case errc::no_peer_certificate: return "the peer sent no certificate, so its SDP fingerprint cannot be checked";
        case errc::bad_fingerprint: return "the fingerprint is not '<hash-function> <HEX:HEX:...>' with one hex pair per digest byte";
        case errc::unsupported_hash: return "the fingerprint names a hash function other than sha-1, sha-224, sha-256, sha-384 or sha-512";
        case errc::bad_certificate: return "the certificate or private key could not be read or made";
        }
        return "unknown msrp.tls error " + std::to_string(value);
    }
};

template <auto Free>
struct openssl_deleter {
    template <typename T>
    void operator()(T* p) const noexcept { Free(p); }
};

using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, openssl_deleter<X509_free>>;
using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO_free_all>>;
using bignum_ptr = std::unique_ptr<BIGNUM, openssl_deleter<BN_free>>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, openssl_deleter<EVP_MD_CTX_free>>;
using extension_ptr = std::unique_ptr<X509_EXTENSION, openssl_deleter<X509_EXTENSION_free>>;

// Drains OpenSSL's thread-local error queue, so that a later failure does not
// report this one's reasons.
std::string take_openssl_errors() {
    std::string text;
    while (const unsigned long code = ERR_get_error()) {
        std::array<char, 256> buffer{};
        ERR_error_string_n(code, buffer.data(), buffer.size());
        if (!text.empty())
            text += "; ";
        text += buffer.data();
    }
    return text.empty() ? "no OpenSSL error recorded" : text;
}

[[noreturn]] void throw_bad_certificate(const char* step) {
    throw std::system_error(make_error_code(errc::bad_certificate),
                            std::string("generate_self_signed: ") + step + ": " + take_openssl_errors());
}

std::string bio_contents(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    if (size <= 0 || data == nullptr)
        return {};
    return std::string(data, static_cast<std::size_t>(size));
}

struct hash_function {
    std::string_view name; // as RFC 8122 §5 / the IANA "Hash Function Textual Names" registry spell it
    const EVP_MD* (*md)();
};

// RFC 8122 §5 also lists md2 and md5, and says they MUST NOT be used.
constexpr std::array<hash_function, 5> hash_functions{{
    {"sha-1", &EVP_sha1},
    {"sha-224", &EVP_sha224},
    {"sha-256", &EVP_sha256},
    {"sha-384", &EVP_sha384},
    {"sha-512", &EVP_sha512},
}};

char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// RFC 8122 §5: hash-func is a token and tokens compare case-insensitively.
const hash_function* find_hash(std::string_view name) noexcept {
    for (const auto& h : hash_functions) {
        if (h.name.size() != name.size())
            continue;
        bool same = true;
        for (std::size_t i = 0; i < name.size() && same; ++i)
            same = ascii_lower(name[i]) == h.name[i];
        if (same)
            return &h;
    }
    return nullptr;
}

bool digest_of(std::string_view bytes, const hash_function& hash, std::vector<unsigned char>& out) {
    const md_ctx_ptr md_ctx{EVP_MD_CTX_new()};
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (!md_ctx || EVP_DigestInit_ex(md_ctx.get(), hash.md(), nullptr) != 1 ||
        EVP_DigestUpdate(md_ctx.get(), bytes.data(), bytes.size()) != 1 ||
        EVP_DigestFinal_ex(md_ctx.get(), digest.data(), &size) != 1) {
        ERR_clear_error();
        return false;
    }
    out.assign(digest.begin(), digest.begin() + size);
    return true;
}

// `<hash-func> SP <HEX:HEX:...>` as RFC 8122 §5 writes it: upper-case hex.
std::string format_fingerprint(const hash_function& hash, const std::vector<unsigned char>& digest) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string text(hash.name);
    text += ' ';
    for (std::size_t i = 0; i < digest.size(); ++i) {
        if (i != 0)
            text += ':';
        text += hex[digest[i] >> 4];
        text += hex[digest[i] & 0x0f];
    }
    return text;
}

// The DER form of the first certificate in `pem`, or an empty string.
std::string pem_to_der(std::string_view pem) {
    if (pem.empty() || pem.size() > static_cast<std::size_t>(INT_MAX))
        return {};
    const bio_ptr in{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
    if (!in)
        return {};
    const x509_ptr cert{PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr)};
    if (!cert)
        return {};
    const int size = i2d_X509(cert.get(), nullptr);
    if (size <= 0)
        return {};
    std::string der(static_cast<std::size_t>(size), '\0');
    auto* p = reinterpret_cast<unsigned char*>(der.data());
    if (i2d_X509(cert.get(), &p) != size)
        return {};
    return der;
}

std::error_code fingerprint_impl(std::string_view certificate_pem, std::string_view hash_func, std::string& out,
                                 std::string& openssl_errors) {
    const hash_function* hash = find_hash(hash_func);
    if (hash == nullptr)
        return errc::unsupported_hash;
    const std::string der = pem_to_der(certificate_pem);
    std::vector<unsigned char> digest;
    if (der.empty() || !digest_of(der, *hash, digest)) {
        openssl_errors = take_openssl_errors();
        return errc::bad_certificate;
    }
    out = format_fingerprint(*hash, digest);
    return {};
}

bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

} // namespace

const std::error_category& error_category() noexcept {
    static const tls_category category;
    return category;
}

credentials generate_self_signed(std::string_view common_name, int days) {
    if (days < 1)
        throw std::invalid_argument("generate_self_signed: days must be at least 1");
    if (common_name.size() > static_cast<std::size_t>(INT_MAX))
        throw std::invalid_argument("generate_self_signed: common name too long");
    // Reasons left by an earlier, unrelated call would end up in our message.
    ERR_clear_error();

    const pkey_ptr key{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
    if (!key)
        throw_bad_certificate("EVP_PKEY_Q_keygen");

    const x509_ptr cert{X509_new()};
    if (!cert)
        throw_bad_certificate("X509_new");
    // Version field value 2 means X.509 v3.
    if (X509_set_version(cert.get(), 2) != 1)
        throw_bad_certificate("X509_set_version");

    // RFC 5280 §4.1.2.2: a positive serial of at most 20 octets; 128 random
    // bits keep two certificates from one process (or two peers) apart.
    std::array<unsigned char, 16> serial_bytes{};
    if (RAND_bytes(serial_bytes.data(), static_cast<int>(serial_bytes.size())) != 1)
        throw_bad_certificate("RAND_bytes");
    serial_bytes[0] |= 0x01; // never zero
    const bignum_ptr serial{BN_bin2bn(serial_bytes.data(), static_cast<int>(serial_bytes.size()), nullptr)};
    if (!serial || BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr)
        throw_bad_certificate("serial number");

    // One hour of slack for a peer whose clock is behind ours.
    if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60L * 60L) == nullptr ||
        X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, 0, nullptr) == nullptr)
        throw_bad_certificate("validity");

    X509_NAME* name = X509_get_subject_name(cert.get());
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.data()),
                                   static_cast<int>(common_name.size()), -1, 0) != 1)
        throw_bad_certificate("common name");
    if (X509_set_issuer_name(cert.get(), name) != 1)
        throw_bad_certificate("X509_set_issuer_name");
    if (X509_set_pubkey(cert.get(), key.get()) != 1)
        throw_bad_certificate("X509_set_pubkey");

    // An end-entity certificate: it must not be usable to sign others.
    X509V3_CTX v3{};
    X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
    for (const auto& [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
                                     std::pair{NID_subject_key_identifier, "hash"}}) {
        const extension_ptr ext{X509V3_EXT_conf_nid(nullptr, &v3, nid, value)};
        if (!ext || X509_add_ext(cert.get(), ext.get(), -1) != 1)
            throw_bad_certificate("X509v3 extension");
    }

    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
        throw_bad_certificate("X509_sign");

    const bio_ptr cert_out{BIO_new(BIO_s_mem())};
    if (!cert_out || PEM_write_bio_X509(cert_out.get(), cert.get()) != 1)
        throw_bad_certificate("PEM_write_bio_X509");
    const bio_ptr key_out{BIO_new(BIO_s_mem())};
    if (!key_out || PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throw_bad_certificate("PEM_write_bio_PrivateKey");

    credentials result{bio_contents(cert_out.get()), bio_contents(key_out.get())};
    // The key is secret: do not leave a copy in the BIO's freed memory.
    char* key_data = nullptr;
    if (const long size = BIO_get_mem_data(key_out.get(), &key_data); size > 0 && key_data != nullptr)
        OPENSSL_cleanse(key_data, static_cast<std::size_t>(size));
    if (result.certificate_pem.empty() || result.private_key_pem.empty())
        throw_bad_certificate("BIO_get_mem_data");
    return result;
}

std::error_code fingerprint(std::string_view certificate_pem, std::string_view hash_func, std::string& out) {
    std::string ignored;
    return fingerprint_impl(certificate_pem, hash_func, out, ignored);
}

std::string fingerprint(std::string_view certificate_pem, std::string_view hash_func) {
    std::string out;
    std::string openssl_errors;
    if (const auto ec = fingerprint_impl(certificate_pem, hash_func, out, openssl_errors)) {
        std::string what = "fingerprint";
        if (!openssl_errors.empty())
            what += ": " + openssl_errors;
        throw std::system_error(ec, what);
    }
    return out;
}

std::error_code match_fingerprint(std::string_view certificate_der, std::string_view expected) {
    // RFC 8122 §5: fingerprint-attribute = "fingerprint" ":" hash-func SP fingerprint.
    // Blanks around and between the two fields are tolerated: SDP written by
    // hand or by lenient stacks has them.
    std::size_t pos = 0;
    while (pos < expected.size() && is_blank(expected[pos]))
        ++pos;
    const std::size_t hash_begin = pos;
    while (pos < expected.size() && !is_blank(expected[pos]))
        ++pos;
    const std::string_view hash_name = expected.substr(hash_begin, pos - hash_begin);
    while (pos < expected.size() && is_blank(expected[pos]))
        ++pos;
    std::size_t end = expected.size();
    while (end > pos && is_blank(expected[end - 1]))
        --end;
    const std::string_view hex = expected.substr(pos, end - pos);
    if (hash_name.empty() || hex.empty())
        return errc::bad_fingerprint;

    const hash_function* hash = find_hash(hash_name);
    if (hash == nullptr)
        return errc::unsupported_hash;

    // fingerprint = 2UHEX *(":" 2UHEX); lower-case hex is accepted as well.
    std::vector<unsigned char> wanted;
    for (std::size_t i = 0;; i += 3) {
        if (i + 2 > hex.size())
            return errc::bad_fingerprint;
        const int high = hex_value(hex[i]);
        const int low = hex_value(hex[i + 1]);
        if (high < 0 || low < 0)
            return errc::bad_fingerprint;
        wanted.push_back(static_cast<unsigned char>(high << 4 | low));
        if (i + 2 == hex.size())
            break;
        if (hex[i + 2] != ':')
            return errc::bad_fingerprint;
    }

    std::vector<unsigned char> actual;
    if (!digest_of(certificate_der, *hash, actual))
        return errc::bad_certificate;
    // A value of the wrong length for its hash is malformed, not a mismatch.
    if (wanted.size() != actual.size())
        return errc::bad_fingerprint;
    if (CRYPTO_memcmp(wanted.data(), actual.data(), actual.size()) != 0)
        return errc::fingerprint_mismatch;
    return {};
}

const credentials& default_credentials() {
    // A function-local static is initialised once even with concurrent callers;
    // if generation throws, the next call tries again.
    static const credentials process_credentials = generate_self_signed();
    return process_credentials;
}

} // namespace msrp::tls
