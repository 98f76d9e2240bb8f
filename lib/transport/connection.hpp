#pragma once
// One MSRP connection (TCP or TLS) and what every session over it shares:
// the byte stream, the read buffer and the demux that splits it into
// chunks, and the order of writes. An `MSRPTransport` is one session's view
// of a connection, with a slot here (`session_slot`); usually a connection
// carries one session, but RFC 4975 §5.4 lets a peer carry several over one
// connection, and then each chunk read goes to the session its To-Path
// names (`chunk_demux` decides; the connection is its router). Internal header.

#include <msrp/protocol/chunk_demux.hpp>
#include <msrp/transport/transport.hpp>

#include "byte_stream.hpp"
#include "session_slot.hpp"
#include "../detail/wake_signal.hpp"

#include <asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace msrp::detail {

class connection final : public std::enable_shared_from_this<connection>, private chunk_demux::router {
public:
    connection(std::unique_ptr<byte_stream> stream, transport_options options);
    ~connection();

    /// Called with a chunk whose To-Path names no session on this
    /// connection (set by a server, which may start a session for it).
    /// Returns true when it took the chunk; else the reading session gets it.
    using unknown_session_handler = std::function<bool(const std::shared_ptr<connection>&, IncomingChunk&)>;
    void on_unknown_session(unknown_session_handler handler) { unknown_session_ = std::move(handler); }

    /// A session starts using the connection: its slot, kept until `release`.
    session_slot& attach(const URI& local_uri);
    /// The session no longer uses the connection (`closed` says why, if
    /// given); chunks for it go to the other sessions (which answer 481).
    /// Its read, if it is reading the socket, ends when the bytes being
    /// read have been routed.
    void detach(session_slot& session, std::error_code closed = {}) noexcept;
    /// The session's transport is gone: its slot too.
    void release(session_slot& session) noexcept;
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
    asio::awaitable<void> read(session_slot& session, IncomingChunk& out, std::optional<std::size_t> size,
                               std::error_code& ec);
    asio::awaitable<void> write_chunk(const Chunk& chunk, std::error_code& ec);
    asio::awaitable<void> write(std::span<const std::string_view> buffers, std::error_code& ec);
    asio::awaitable<void> write_chunks(std::span<const std::string_view> pieces,
                                       std::span<const std::size_t> chunk_ends, std::error_code& ec);

    bool is_open() const noexcept { return stream_->is_open() && !error_; }
    void close() noexcept;
    /// See `MSRPTransport::shutdown`.
    asio::awaitable<void> shutdown(std::error_code& ec);
    std::size_t buffered_bytes() const noexcept { return buffer_end_ - buffer_begin_; }

private:
    asio::awaitable<bool> read_one(session_slot& reader, IncomingChunk& out, std::optional<std::size_t> size,
                                   std::error_code& ec);
    asio::awaitable<std::size_t> fill(const std::function<void()>& before_wait, std::error_code& ec);
    void release_buffer_pages() noexcept;
    session_slot* attached(chunk_demux::slot id) const noexcept;
    bool hand_over(chunk_demux::slot to, session_slot& reader, IncomingChunk& out);
    bool offer_stranger(session_slot& reader, IncomingChunk& out);
    // chunk_demux::router: the sessions attached, by local URI.
    chunk_demux::slot find_session(const URI& to) const override;
    chunk_demux::slot fallback_session(chunk_demux::slot reader) const override;
    bool routes_by_to_path() const override;
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
    /// Parses the read buffer and decides whose each chunk is.
    chunk_demux demux_;
    std::unique_ptr<char[]> buffer_;
    std::size_t buffer_size_ = 0;
    std::size_t buffer_begin_ = 0, buffer_end_ = 0;
    /// Bytes of the buffer written since its pages were last released.
    std::size_t buffer_touched_ = 0;
    std::chrono::steady_clock::time_point buffer_released_at_{};
    /// What an emptied buffer keeps of its pages (see release_buffer_pages).
    static constexpr std::size_t kept_buffer_bytes = 64 * 1024;
    std::error_code error_; ///< sticky once the connection failed

    /// Every session's slot, attached or not; `sessions_` lists the
    /// attached ones in the order they came.
    std::vector<std::unique_ptr<session_slot>> slots_;
    std::vector<session_slot*> sessions_;
    chunk_demux::slot next_slot_id_ = 0;
    unknown_session_handler unknown_session_;
    // One session reads the socket at a time; the others wait for their
    // inbox to fill or for the reader to finish.
    session_slot* reader_ = nullptr;

    wake_signal read_change_; ///< wakes the sessions waiting to read

    bool writing_ = false; ///< a write is on the socket
    std::unique_ptr<serialized_chunk> write_buffer_; ///< reused by write_chunk
    std::vector<asio::const_buffer> gather_;         ///< reused by write_chunks
    // Never expires; cancelling it wakes the queued writers.
    asio::steady_timer write_done_;
};

} // namespace msrp::detail
