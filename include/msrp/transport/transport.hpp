#pragma once
/// \file
/// `MSRPTransport`: one bound MSRP connection (TCP or TLS) with a read
/// buffer feeding the streaming parser. Named after the seed's
/// `transport.MSRPTransport`.
///
/// Error convention (the whole library): an asynchronous operation takes
/// an Asio completion token, `asio::use_awaitable` by default, and
/// completes with `void(std::error_code, T)` (see `detail/async_operation.hpp`
/// and the README): awaited as is it throws `std::system_error`, with
/// `asio::redirect_error(asio::use_awaitable, ec)` it sets `ec`. A
/// synchronous function that can fail comes in two forms, as Asio's do: one
/// throws, the other reports through a trailing `std::error_code&`.

#include <msrp/protocol/chunk.hpp>
#include <msrp/protocol/chunk_parser.hpp>
#include <msrp/protocol/incoming_chunk.hpp>
#include <msrp/protocol/make_chunk.hpp>
#include <msrp/transport/traffic_log.hpp>
#include <msrp/detail/async_operation.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

namespace msrp {

namespace detail {
class byte_stream;
class connection;
struct session_slot;
} // namespace detail
struct serialized_chunk;

/// What a transport may use and how much.
struct transport_options {
    /// Bytes read from the socket at once; also the most a read buffer
    /// grows to beyond one chunk head (parser_limits::max_header_block_bytes).
    std::size_t read_buffer_bytes = 256 * 1024;
    parser_options parser;
    /// Largest body `read_chunk()` assembles in memory; a bigger chunk
    /// is an error unless it is read in segments (`read_chunk(size)`).
    std::uint64_t max_chunk_body_bytes = 16u << 20;
    /// Chunks read for one session of a shared connection (RFC 4975 §5.4)
    /// and not yet taken by it. When one session's inbox is full the
    /// connection stops reading, so a slow session slows its peer.
    std::size_t max_inbox_chunks = 64;
    /// How long `shutdown` waits for the peer's TLS close_notify before it
    /// closes anyway and fails with `asio::error::timed_out`.
    std::chrono::milliseconds shutdown_timeout{5000};
    /// Null: no logging, and no cost on the data path.
    std::shared_ptr<Logger> logger;
};

/// One connection between two MSRP endpoints, already bound: the paths are
/// known. Built by connectors and acceptors (`ConnectorDirect`, ...); used
/// by sessions. Not thread-safe: use it from its executor only.
///
/// At most one `read_chunk` may be outstanding at a time. Writes may be
/// started by several coroutines at once: they queue, in order, and each
/// chunk's bytes go out whole, never interleaved with another's.
///
/// Several sessions may share one connection (RFC 4975 §5.4: a peer may
/// open a new session over a connection it already has to the same
/// authority). Each has its own `MSRPTransport`; a chunk read goes to the
/// session whose URI its To-Path names, and one naming none goes to a
/// session that answers it 481. The last transport closes the connection.
class MSRPTransport {
public:
    MSRPTransport(std::unique_ptr<detail::byte_stream> stream, URI local_uri, Path full_local_path,
                  Path full_remote_path, transport_options options = {});
    /// Another session over an existing connection (see `share`).
    MSRPTransport(std::shared_ptr<detail::connection> connection, URI local_uri, Path full_local_path,
                  Path full_remote_path);
    /// Ends this session's use of the connection; the last one closes it.
    /// No operation of this transport may be pending.
    ~MSRPTransport();
    MSRPTransport(const MSRPTransport&) = delete;
    MSRPTransport& operator=(const MSRPTransport&) = delete;

    asio::any_io_executor get_executor() const;

    const URI& local_uri() const noexcept { return local_uri_; }
    /// This side's path as the peer sees it (relays first, `local_uri` last).
    const Path& full_local_path() const noexcept { return full_local_path_; }
    /// The peer's path (its relays first, its URI last): the To-Path of every chunk sent.
    const Path& full_remote_path() const noexcept { return full_remote_path_; }
    const connection_info& connection() const noexcept;

    /// The seed's `make_chunk`: To-Path = full remote path, From-Path =
    /// local URI (RFC 4976 §6: relays add themselves on the way).
    Chunk make_chunk(const make_chunk_params& params = {}) const;

    /// Writes one chunk (head, body, end-line) in one gather write; the body
    /// is not copied again. Errors: the chunk's `errc` from `serialize`,
    /// socket errors. Completes with `void(std::error_code)`.
    template <detail::operation_token<void> CompletionToken = asio::use_awaitable_t<>>
    auto write_chunk(Chunk chunk, CompletionToken&& token = {}) {
        return detail::run_operation<void>(
            get_executor(), std::forward<CompletionToken>(token),
            [this, chunk = std::move(chunk)](std::error_code& ec) mutable { return do_write_chunk(std::move(chunk), ec); },
            "MSRPTransport::write_chunk");
    }
    /// Writes bytes as they are (the seed's `write`); gathers the pieces.
    /// As with `asio::async_write`, the bytes the views name must stay valid
    /// until the write completes (the span itself is copied). Completes
    /// with `void(std::error_code)`.
    template <detail::operation_token<void> CompletionToken = asio::use_awaitable_t<>>
    auto write(std::span<const std::string_view> buffers, CompletionToken&& token = {}) {
        return detail::run_operation<void>(
            get_executor(), std::forward<CompletionToken>(token),
            [this, views = std::vector<std::string_view>(buffers.begin(), buffers.end())](std::error_code& ec) mutable {
                return do_write(std::move(views), ec);
            },
            "MSRPTransport::write");
    }
    /// Writes several chunks in one gather write: a session's writer. `pieces`
    /// holds their bytes in wire order; chunk `i` ends before
    /// `pieces[chunk_ends[i]]`, so that no piece spans two chunks. The logger
    /// sees each chunk apart (one call per run of pieces that lie next to
    /// each other in memory); the socket gets neighbouring pieces merged.
    /// Awaited in place only: the spans, the bytes and `ec` must stay valid
    /// until it completes. Errors: socket errors.
    asio::awaitable<void> write_chunks(std::span<const std::string_view> pieces,
                                       std::span<const std::size_t> chunk_ends, std::error_code& ec);

    /// The next chunk. With `size`, returns a "virtual" chunk when more
    /// than `size` body bytes of the current chunk are at hand and the rest
    /// has not arrived yet (0: as soon as any are): Byte-Range narrowed to
    /// those bytes, continuation `+`, `segment` 1, 2, ...; the last segment
    /// carries the real flag. `size` is a hint, as in the seed: a segment
    /// holds what one read brought, and a chunk that arrived whole is
    /// returned whole (`segment` 0).
    /// A parse error closes the connection and yields the parser's `errc`
    /// (the seed's ChunkParseError); a closed connection yields
    /// `asio::error::eof` or the socket's error. Completes with
    /// `void(std::error_code, IncomingChunk)`.
    template <detail::operation_token<IncomingChunk> CompletionToken = asio::use_awaitable_t<>>
    auto read_chunk(std::optional<std::size_t> size = std::nullopt, CompletionToken&& token = {}) {
        return detail::run_operation<IncomingChunk>(
            get_executor(), std::forward<CompletionToken>(token),
            [this, size](std::error_code& ec) { return do_read_chunk(size, ec); }, "MSRPTransport::read_chunk");
    }
    /// `read_chunk` into a chunk the caller keeps: passing the same object
    /// each time reuses its buffers (no allocation per chunk once warm).
    /// Awaited in place only: `chunk` and `ec` must outlive it.
    asio::awaitable<void> read_chunk_into(IncomingChunk& chunk, std::optional<std::size_t> size,
                                          std::error_code& ec);

    /// Sets the paths once they are known: a server learns which session a
    /// connection belongs to from its first chunk.
    void bind_to(URI local_uri, Path full_local_path, Path full_remote_path);
    /// Connectors call it once the binding succeeded: logs `bound`.
    void mark_bound() const;
    /// Logs to `logger` from now on (null: no logging).
    void set_logger(std::shared_ptr<Logger> logger) noexcept;

    /// A transport for another session over this transport's connection
    /// (RFC 4975 §5.4), not yet bound: the caller binds it as it would a
    /// new connection, by sending a SEND with the new session's paths.
    std::unique_ptr<MSRPTransport> share(URI local_uri, Path full_local_path, Path full_remote_path);
    /// Sessions using this transport's connection, this one included.
    std::size_t sessions_on_connection() const noexcept;

    /// Puts a chunk back: the next `read_chunk` returns it first. Binding
    /// uses it so that a message that arrives with the binding is not lost.
    void unread(IncomingChunk chunk);

    /// Checks an incoming request's paths against this connection (RFC 4975
    /// §7.3): the To-Path must be this side's URI, the From-Path must end in
    /// the peer's URI. Returns `errc::session_mismatch` (answer 481) or nothing.
    std::error_code check_incoming_SEND_chunk(const Chunk& chunk) const;

    /// Closes the connection at once (pending operations fail). On a
    /// shared connection, ends this session's use of it only.
    void close() noexcept;
    /// Ends TLS cleanly where there is TLS (sends close_notify and waits for
    /// the peer's), then closes; on a shared connection, as `close`.
    /// Completes with `void(std::error_code)`: the TLS shutdown's error, or
    /// the connection's when it had failed before; a peer that closes the
    /// connection after our close_notify is no error.
    template <detail::operation_token<void> CompletionToken = asio::use_awaitable_t<>>
    auto shutdown(CompletionToken&& token = {}) {
        return detail::run_operation<void>(
            get_executor(), std::forward<CompletionToken>(token),
            [this](std::error_code& ec) { return do_shutdown(ec); }, "MSRPTransport::shutdown");
    }
    bool is_open() const noexcept;

    /// Bytes read from the socket but not yet parsed into a returned chunk.
    std::size_t buffered_bytes() const noexcept;
    /// Chunks read for this session and not yet returned by `read_chunk`.
    std::size_t inbox_size() const noexcept;

    /// Called when a read of this transport is about to wait: nothing left
    /// to parse and nothing received (or another session of the connection
    /// is reading). The moment to send what was held back while input kept
    /// coming, so that it goes out in one write (a session's responses).
    void set_read_wait_hook(std::function<void()> hook);

private:
    asio::awaitable<void> do_write_chunk(Chunk chunk, std::error_code& ec);
    asio::awaitable<void> do_write(std::vector<std::string_view> buffers, std::error_code& ec);
    asio::awaitable<IncomingChunk> do_read_chunk(std::optional<std::size_t> size, std::error_code& ec);
    asio::awaitable<void> do_shutdown(std::error_code& ec);

    std::shared_ptr<detail::connection> conn_;
    URI local_uri_;
    Path full_local_path_;
    Path full_remote_path_;
    /// This session's slot in the connection (its inbox, whether it left,
    /// its read-wait hook): the connection owns it, until this transport is gone.
    detail::session_slot* slot_;
};

} // namespace msrp
