#include "byte_stream.hpp"

#include "tls_context.hpp"
#include "../detail/coroutine_helpers.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/read.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <atomic>
#include <vector>

namespace msrp::detail {
namespace {

std::string endpoint_text(const asio::ip::tcp::endpoint& ep) {
    const auto address = ep.address();
    return address.is_v6() ? "[" + address.to_string() + "]:" + std::to_string(ep.port())
                           : address.to_string() + ":" + std::to_string(ep.port());
}

} // namespace

void describe_connection(const asio::ip::tcp::socket& socket, bool tls, connection_info& info) {
    static std::atomic<std::uint64_t> next_id{1};
    info.id = next_id++;
    info.tls = tls;
    std::error_code ec;
    const auto local = socket.local_endpoint(ec);
    info.local = ec ? std::string("?") : endpoint_text(local);
    const auto remote = socket.remote_endpoint(ec);
    info.remote = ec ? std::string("?") : endpoint_text(remote);
}

tcp_byte_stream::tcp_byte_stream(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {
    std::error_code ignored;
    // Chunks are written whole; Nagle would only delay small ones (responses).
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
    // Reads and writes try the socket first and wait only when it is empty
    // or full (read_some, write).
    socket_.non_blocking(true, ignored);
    describe_connection(socket_, false, info);
}

asio::awaitable<std::size_t> tcp_byte_stream::read_some(asio::mutable_buffer buffer,
                                                        const std::function<void()>& before_wait, std::error_code& ec) {
    // While the peer sends in bulk, a non-blocking read comes first: when it
    // finds bytes, nothing was waited for and `before_wait` is not called,
    // so what it would send (a session's responses) keeps gathering. Asked
    // one small message at a time, the read goes straight to waiting: the
    // probe would be one system call more per message for nothing.
    if (bulk_input_) {
        const std::size_t got = socket_.read_some(buffer, ec);
        if (ec != asio::error::would_block && ec != asio::error::try_again) {
            bulk_input_ = !ec && got >= bulk_read_bytes;
            if (!ec) {
                // Others on the executor run between reads, as after an
                // asynchronous read: a peer that never pauses cannot keep
                // the thread.
                const auto executor = socket_.get_executor();
                co_await asio::post(executor, asio::use_awaitable);
            }
            co_return got;
        }
    }
    if (before_wait)
        before_wait();
    auto [e, n] = co_await socket_.async_read_some(buffer, as_tuple_awaitable);
    ec = e;
    bulk_input_ = !ec && n >= bulk_read_bytes;
    co_return n;
}

asio::awaitable<void> tcp_byte_stream::write(std::span<const asio::const_buffer> buffers, std::error_code& ec) {
    // A non-blocking write first: the socket usually has room, and a write
    // done at once then costs no trip through the reactor (Asio hands even
    // an immediate write's completion to the scheduler). A peer answering
    // one request at a time is answered a scheduler round sooner. The
    // budget makes every `sync_write_budget` bytes go the asynchronous way,
    // so that a writer with much to send still lets others run between
    // its writes.
    std::size_t total = 0;
    for (const auto& b : buffers)
        total += b.size();
    std::size_t written = 0;
    if (sync_budget_ >= total) {
        written = socket_.write_some(buffers, ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again)
            ec = {};
        else if (ec)
            co_return;
        sync_budget_ -= written;
        if (written == total)
            co_return;
    }
    sync_budget_ = sync_write_budget;
    if (written == 0) {
        auto [e, n] = co_await asio::async_write(socket_, buffers, as_tuple_awaitable);
        ec = e;
        co_return;
    }
    // The rest of a write cut short: the socket is full, so this waits.
    std::vector<asio::const_buffer> rest;
    for (const auto& b : buffers) {
        if (written >= b.size()) {
            written -= b.size();
            continue;
        }
        rest.push_back(b + written);
        written = 0;
    }
    auto [e, n] = co_await asio::async_write(socket_, rest, as_tuple_awaitable);
    ec = e;
}

asio::awaitable<void> tcp_byte_stream::shutdown(std::error_code& ec) {
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    close();
    co_return;
}

void tcp_byte_stream::close() noexcept {
    std::error_code ignored;
    socket_.close(ignored);
}

tls_byte_stream::tls_byte_stream(asio::ip::tcp::socket socket, std::shared_ptr<asio::ssl::context> context)
    : context_(std::move(context)), stream_(std::move(socket), *context_) {
    std::error_code ignored;
    stream_.lowest_layer().set_option(asio::ip::tcp::no_delay(true), ignored);
    describe_connection(stream_.next_layer(), true, info);
}

asio::awaitable<void> tls_byte_stream::handshake(asio::ssl::stream_base::handshake_type type,
                                                 const tls::settings& settings, std::error_code& ec) {
    auto [e] = co_await stream_.async_handshake(type, as_tuple_awaitable);
    ec = e;
    if (ec)
        co_return;
    ec = check_peer(stream_.native_handle(), settings, peer_fingerprint_);
}

asio::awaitable<std::size_t> tls_byte_stream::read_some(asio::mutable_buffer buffer,
                                                        const std::function<void()>& before_wait, std::error_code& ec) {
    // OpenSSL's buffering hides whether input is waiting: treat every read
    // as one that may wait.
    if (before_wait)
        before_wait();
    auto [e, n] = co_await stream_.async_read_some(buffer, as_tuple_awaitable);
    ec = e;
    co_return n;
}

asio::awaitable<void> tls_byte_stream::write(std::span<const asio::const_buffer> buffers, std::error_code& ec) {
    // TLS encrypts one buffer per SSL_write: a chunk's small head and
    // end-line would each become a record and a socket write of their own.
    // Gathered into one staging buffer they share records with the body.
    std::size_t total = 0;
    for (const auto& b : buffers)
        total += b.size();
    if (buffers.size() > 1 && total <= max_staged_write_bytes) {
        staging_.clear();
        for (const auto& b : buffers)
            staging_.append(static_cast<const char*>(b.data()), b.size());
        auto [e, n] = co_await asio::async_write(stream_, asio::buffer(staging_), as_tuple_awaitable);
        (void)n;
        ec = e;
        co_return;
    }
    auto [e, n] = co_await asio::async_write(stream_, buffers, as_tuple_awaitable);
    (void)n;
    ec = e;
}

asio::awaitable<void> tls_byte_stream::shutdown(std::error_code& ec) {
    auto [e] = co_await stream_.async_shutdown(as_tuple_awaitable);
    ec = e;
    close();
}

void tls_byte_stream::close() noexcept {
    std::error_code ignored;
    stream_.lowest_layer().close(ignored);
}

} // namespace msrp::detail
