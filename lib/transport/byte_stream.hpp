#pragma once
// The connection under a transport: plain TCP or TLS over TCP, behind one
// interface so the transport's code is the same for both. Internal header.

#include <msrp/transport/tls.hpp>
#include <msrp/transport/traffic_log.hpp>

#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <system_error>

namespace msrp::detail {

class byte_stream {
public:
    virtual ~byte_stream() = default;

    virtual asio::any_io_executor get_executor() = 0;
    /// Reads what is there, at least one byte. When nothing has arrived
    /// yet, `before_wait` (if set) is called before waiting: the moment to
    /// send what was held back while input kept coming. Errors: socket
    /// errors, eof.
    virtual asio::awaitable<std::size_t> read_some(asio::mutable_buffer buffer, const std::function<void()>& before_wait,
                                                   std::error_code& ec) = 0;
    /// Writes all of `buffers` (a gather write).
    virtual asio::awaitable<void> write(std::span<const asio::const_buffer> buffers, std::error_code& ec) = 0;
    /// Ends the connection cleanly (TLS close_notify where there is TLS).
    virtual asio::awaitable<void> shutdown(std::error_code& ec) = 0;
    virtual void close() noexcept = 0;
    virtual bool is_open() const noexcept = 0;

    connection_info info;
};

/// Fills `info` from a connected socket and gives it a process-unique id.
void describe_connection(const asio::ip::tcp::socket& socket, bool tls, connection_info& info);

class tcp_byte_stream final : public byte_stream {
public:
    explicit tcp_byte_stream(asio::ip::tcp::socket socket);

    asio::any_io_executor get_executor() override { return socket_.get_executor(); }
    asio::awaitable<std::size_t> read_some(asio::mutable_buffer buffer, const std::function<void()>& before_wait,
                                           std::error_code& ec) override;
    asio::awaitable<void> write(std::span<const asio::const_buffer> buffers, std::error_code& ec) override;
    asio::awaitable<void> shutdown(std::error_code& ec) override;
    void close() noexcept override;
    bool is_open() const noexcept override { return socket_.is_open(); }

private:
    /// A read this large says the peer sends in bulk (see read_some).
    static constexpr std::size_t bulk_read_bytes = 2048;

    /// Bytes written at once (see write()) before a write waits its turn.
    static constexpr std::size_t sync_write_budget = 64 * 1024;
    asio::ip::tcp::socket socket_;
    bool bulk_input_ = false;
    std::size_t sync_budget_ = sync_write_budget;
};

class tls_byte_stream final : public byte_stream {
public:
    /// Takes a connected socket and the context for this side; `handshake`
    /// must succeed before any read or write.
    tls_byte_stream(asio::ip::tcp::socket socket, std::shared_ptr<asio::ssl::context> context);

    /// Runs the TLS handshake and checks the peer against `settings`
    /// (fingerprint, chain). Errors: TLS errors, `tls::errc`.
    asio::awaitable<void> handshake(asio::ssl::stream_base::handshake_type type, const tls::settings& settings,
                                    std::error_code& ec);
    const std::string& peer_fingerprint() const noexcept { return peer_fingerprint_; }

    asio::any_io_executor get_executor() override { return stream_.get_executor(); }
    asio::awaitable<std::size_t> read_some(asio::mutable_buffer buffer, const std::function<void()>& before_wait,
                                           std::error_code& ec) override;
    asio::awaitable<void> write(std::span<const asio::const_buffer> buffers, std::error_code& ec) override;
    asio::awaitable<void> shutdown(std::error_code& ec) override;
    void close() noexcept override;
    bool is_open() const noexcept override { return stream_.lowest_layer().is_open(); }

private:
    /// Largest write copied into one buffer before encryption (see write()).
    static constexpr std::size_t max_staged_write_bytes = 256 * 1024;

    std::shared_ptr<asio::ssl::context> context_; // outlives stream_
    asio::ssl::stream<asio::ip::tcp::socket> stream_;
    std::string peer_fingerprint_;
    std::string staging_; ///< reused by write(); one write at a time
};

} // namespace msrp::detail
