#pragma once
// One MSRP connection (TCP or TLS) and what every session over it shares:
// the byte stream, the read buffer and parser, and the order of writes.
// An `MSRPTransport` is one session's view of a connection; usually a
// connection carries one session, but RFC 4975 §5.4 lets a peer carry
// several over one connection, and then each chunk read goes to the session
// its To-Path names. Internal header.

#include <msrp/transport/transport.hpp>

#include "byte_stream.hpp"
#include "wake_signal.hpp"

#include <asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace msrp::detail {

class connection : public std::enable_shared_from_this<connection> {
public:
    connection(std::unique_ptr<byte_stream> stream, transport_options options);
    ~connection();

    /// Called with a chunk whose To-Path names no session on this
    /// connection (set by a server, which may start a session for it).
    /// Returns true when it took the chunk; else the reading session gets it.
    using unknown_session_handler = std::function<bool(const std::shared_ptr<connection>&, IncomingChunk&)>;
    void on_unknown_session(unknown_session_handler handler) { unknown_session_ = std::move(handler); }

    void attach(MSRPTransport& session);
    /// The session no longer uses the connection; chunks for it go to the
    /// other sessions (which answer 481). Its read, if it is reading the
    /// socket, ends when the bytes being read have been routed.
    void detach(MSRPTransport& session) noexcept;
    /// A session's URI changed: routes learnt so far are forgotten.
    void routes_changed() noexcept;
    std::size_t sessions() const noexcept { return sessions_.size(); }

    asio::any_io_executor get_executor() const { return stream_->get_executor(); }
    const connection_info& info() const noexcept { return stream_->info; }
    const transport_options& options() const noexcept { return options_; }
    void set_logger(std::shared_ptr<Logger> logger) noexcept { options_.logger = std::move(logger); }
    void log_state(connection_state state, std::error_code ec = {}, std::string_view detail = {}) const;

    /// The next chunk (or segment) for `session`: from its inbox, or read
    /// from the socket when no other session is reading it. See
    /// `MSRPTransport::read_chunk_into`.
    asio::awaitable<void> read(MSRPTransport& session, IncomingChunk& out, std::optional<std::size_t> size,
                               std::error_code& ec);
    asio::awaitable<void> write_chunk(const Chunk& chunk, std::error_code& ec);
    asio::awaitable<void> write(std::span<const std::string_view> buffers, std::error_code& ec);
    asio::awaitable<void> write_chunks(std::span<const std::string_view> pieces,
                                       std::span<const std::size_t> chunk_ends, std::error_code& ec);

    bool is_open() const noexcept { return stream_->is_open() && !error_; }
    void close() noexcept;
    asio::awaitable<void> shutdown();
    std::size_t buffered_bytes() const noexcept { return buffer_end_ - buffer_begin_; }

private:
    // What the chunk being read belongs to.
    enum class destination { reader, other, unknown, nobody };

    asio::awaitable<bool> read_one(MSRPTransport& reader, IncomingChunk& out, std::optional<std::size_t> size,
                                   std::error_code& ec);
    MSRPTransport* route(const chunk_head& head, MSRPTransport& reader);
    asio::awaitable<std::size_t> fill(const std::function<void()>& before_wait, std::error_code& ec);
    void release_buffer_pages() noexcept;
    MSRPTransport* fallback(MSRPTransport& reader) const noexcept;
    bool hand_over(MSRPTransport* to, MSRPTransport& reader, IncomingChunk& out);
    asio::awaitable<void> acquire_writer(std::error_code& ec);
    /// Takes the writers' turn on an open connection; false (and `ec`) when
    /// it cannot write. `finish_write` writes and gives the turn back.
    asio::awaitable<bool> begin_write(std::error_code& ec);
    asio::awaitable<void> finish_write(std::span<const asio::const_buffer> pieces, std::error_code& ec);
    void release_writer() noexcept;
    void fail(std::error_code ec) noexcept;
    bool inbox_full() const noexcept;

    std::unique_ptr<byte_stream> stream_;
    transport_options options_;
    chunk_parser parser_;
    std::unique_ptr<char[]> buffer_;
    std::size_t buffer_size_ = 0;
    std::size_t buffer_begin_ = 0, buffer_end_ = 0;
    /// Bytes of the buffer written since its pages were last released.
    std::size_t buffer_touched_ = 0;
    std::chrono::steady_clock::time_point buffer_released_at_{};
    /// What an emptied buffer keeps of its pages (see release_buffer_pages).
    static constexpr std::size_t kept_buffer_bytes = 64 * 1024;
    std::error_code error_; ///< sticky once the connection failed

    std::vector<MSRPTransport*> sessions_;
    unknown_session_handler unknown_session_;
    // One session reads the socket at a time; the others wait for their
    // inbox to fill or for the reader to finish.
    MSRPTransport* reader_ = nullptr;
    // A chunk being read in segments belongs to its session until it ends
    // (null: its session went away and the rest is skipped).
    bool partial_active_ = false;
    MSRPTransport* partial_owner_ = nullptr;
    IncomingChunk partial_;
    std::uint64_t partial_body_start_ = 0; ///< Byte-Range start of the next segment
    // A whole chunk for another session (or for none yet).
    IncomingChunk routed_;
    MSRPTransport* routed_to_ = nullptr;
    // The To-Path value last routed and where it went: a session's chunks
    // repeat it byte for byte, so most chunks are routed without parsing it.
    std::string last_to_path_;
    MSRPTransport* last_to_session_ = nullptr;

    wake_signal read_change_; ///< wakes the sessions waiting to read

    bool writing_ = false; ///< a write is on the socket
    std::unique_ptr<serialized_chunk> write_buffer_; ///< reused by write_chunk
    std::vector<asio::const_buffer> gather_;         ///< reused by write_chunks
    // Never expires; cancelling it wakes the queued writers.
    asio::steady_timer write_done_;
};

} // namespace msrp::detail
