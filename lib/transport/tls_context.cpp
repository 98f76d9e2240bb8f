#include "transport/tls_context.hpp"

#include <asio/ssl/host_name_verification.hpp>
#include <asio/ssl/verify_context.hpp>
#include <asio/ssl/verify_mode.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string_view>

namespace msrp::detail {
namespace {

struct x509_deleter {
    void operator()(X509* p) const noexcept { X509_free(p); }
};
struct bio_deleter {
    void operator()(BIO* p) const noexcept { BIO_free_all(p); }
};

[[noreturn]] void throw_bad_certificate(std::string_view what, const std::error_code& openssl_reason) {
    throw std::system_error(make_error_code(tls::errc::bad_certificate),
                            "make_tls_context: " + std::string(what) + ": " + openssl_reason.message());
}

void load_credentials(asio::ssl::context& ctx, const tls::credentials& local) {
    std::error_code ec;
    ctx.use_certificate_chain(asio::buffer(local.certificate_pem), ec);
    if (ec)
        throw_bad_certificate("certificate", ec);
    ctx.use_private_key(asio::buffer(local.private_key_pem), asio::ssl::context::pem, ec);
    if (ec)
        throw_bad_certificate("private key", ec);
    if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
        ERR_clear_error();
        throw std::system_error(make_error_code(tls::errc::bad_certificate),
                                "make_tls_context: the private key does not belong to the certificate");
    }
}

std::string peer_sha256_fingerprint(X509* cert) {
    // Through PEM so that the "sha-256 HEX:..." format lives in one place
    // (tls::fingerprint); this runs once per connection.
    const std::unique_ptr<BIO, bio_deleter> pem{BIO_new(BIO_s_mem())};
    if (!pem || PEM_write_bio_X509(pem.get(), cert) != 1) {
        ERR_clear_error();
        return {};
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(pem.get(), &data);
    if (size <= 0 || data == nullptr)
        return {};
    std::string out;
    if (tls::fingerprint(std::string_view(data, static_cast<std::size_t>(size)), "sha-256", out))
        return {};
    return out;
}

} // namespace

asio::ssl::context make_tls_context(tls_role role, const tls::settings& settings) {
    asio::ssl::context ctx(role == tls_role::client ? asio::ssl::context::tls_client
                                                    : asio::ssl::context::tls_server);
    // Asio's tls_client/tls_server contexts start at TLS 1.0; 1.0 and 1.1 are
    // deprecated (RFC 8996).
    if (SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION) != 1)
        throw std::system_error(make_error_code(tls::errc::bad_certificate),
                                "make_tls_context: cannot require TLS 1.2");
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression);

    // RFC 4975 §14.2: both endpoints present a certificate, even the one that
    // opened the connection.
    load_credentials(ctx, settings.local ? *settings.local : tls::default_credentials());

    if (role == tls_role::server) {
        // Needed once peers are verified: without it OpenSSL aborts a
        // resumed session ("session id context uninitialized").
        static constexpr unsigned char session_id_context[] = "msrp-asio";
        SSL_CTX_set_session_id_context(ctx.native_handle(), session_id_context, sizeof session_id_context - 1);
    }

    if (settings.verify_peer_chain) {
        ctx.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
        std::error_code ec;
        if (!settings.ca_file.empty()) {
            ctx.load_verify_file(settings.ca_file, ec);
            if (ec)
                throw_bad_certificate("CA file " + settings.ca_file, ec);
        } else {
            ctx.set_default_verify_paths(ec);
            if (ec)
                throw_bad_certificate("system CA store", ec);
        }
        if (!settings.verify_host.empty())
            ctx.set_verify_callback(asio::ssl::host_name_verification(settings.verify_host));
    } else {
        // verify_peer makes the server ask for the client's certificate (and
        // the client look at the server's); the callback accepts whatever
        // comes because self-signed certificates are the MSRP norm: the SDP
        // fingerprint vouches for them, checked by check_peer.
        ctx.set_verify_mode(asio::ssl::verify_peer);
        ctx.set_verify_callback([](bool, asio::ssl::verify_context&) { return true; });
    }
    return ctx;
}

std::error_code check_peer(SSL* ssl, const tls::settings& settings, std::string& peer_fingerprint) {
    peer_fingerprint.clear();
    const std::unique_ptr<X509, x509_deleter> cert{SSL_get1_peer_certificate(ssl)};
    if (!cert) {
        if (!settings.expected_peer_fingerprint.empty())
            return tls::errc::no_peer_certificate;
        return {};
    }

    if (!settings.expected_peer_fingerprint.empty()) {
        const int size = i2d_X509(cert.get(), nullptr);
        if (size <= 0) {
            ERR_clear_error();
            return tls::errc::bad_certificate;
        }
        std::string der(static_cast<std::size_t>(size), '\0');
        auto* p = reinterpret_cast<unsigned char*>(der.data());
        if (i2d_X509(cert.get(), &p) != size) {
            ERR_clear_error();
            return tls::errc::bad_certificate;
        }
        if (const auto ec = tls::match_fingerprint(der, settings.expected_peer_fingerprint))
            return ec;
    }

    peer_fingerprint = peer_sha256_fingerprint(cert.get());
    return {};
}

} // namespace msrp::detail
