#include "connection.hpp"
#include "../detail/coroutine_helpers.hpp"
#include "../detail/deadline.hpp"

#include <msrp/protocol/chunk_serializer.hpp>

#include <asio/error.hpp>
#include <asio/ssl/error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include <sys/mman.h>
#include <unistd.h>

namespace msrp::detail {
namespace {

// The end-line after a body, as the serializer writes it.
constexpr std::size_t end_line_overhead = 2 + 7 + 64 + 3;

} // namespace

connection::connection(std::unique_ptr<byte_stream> stream, transport_options options)
    : stream_(std::move(stream)),
      options_(std::move(options)),
      demux_(options_.parser, options_.max_chunk_body_bytes),
      read_change_(stream_->get_executor()),
      write_buffer_(std::make_unique<serialized_chunk>()),
      write_done_(stream_->get_executor()) {
    // The buffer holds a whole head while the parser checks it in place.
    buffer_size_ = std::max(options_.read_buffer_bytes,
                            demux_.parser().options().limits.max_header_block_bytes + end_line_overhead);
    // Not zeroed: its pages stay untouched until bytes arrive there, so an
    // idle or quiet connection costs little memory.
    buffer_ = std::make_unique_for_overwrite<char[]>(buffer_size_);
    // The writers' waiters are woken by cancel(); moving the expiry would cancel them too.
    write_done_.expires_at(asio::steady_timer::time_point::max());
}

connection::~connection() = default;

session_slot& connection::attach(const URI& local_uri) {
    auto& slot = *slots_.emplace_back(std::make_unique<session_slot>(next_slot_id_++, local_uri));
    sessions_.push_back(&slot);
    routes_changed();
    return slot;
}

void connection::detach(session_slot& session, std::error_code closed) noexcept {
    if (closed)
        session.closed = closed;
    if (std::find(sessions_.begin(), sessions_.end(), &session) == sessions_.end())
        return;
    std::erase(sessions_, &session);
    demux_.session_left(session.id);
    read_change_.notify();
}

void connection::release(session_slot& session) noexcept {
    detach(session);
    std::erase_if(slots_, [&](const auto& s) { return s.get() == &session; });
}

void connection::routes_changed() noexcept { demux_.forget_routes(); }

void connection::log_state(connection_state state, std::error_code ec, std::string_view detail) const {
    if (options_.logger)
        options_.logger->on_state(connection_event{state, stream_->info, ec, detail, {}});
}

void connection::fail(std::error_code ec) noexcept {
    if (!error_) {
        error_ = ec;
        log_state(ec == asio::error::eof ? connection_state::closed : connection_state::error, ec);
    }
    stream_->close();
    read_change_.notify();
}

void connection::close() noexcept {
    if (!error_) {
        error_ = asio::error::operation_aborted;
        log_state(connection_state::closed);
    }
    stream_->close();
    read_change_.notify();
}

asio::awaitable<void> connection::shutdown(std::error_code& ec) {
    ec = {};
    if (error_) {
        // Failed before: that is the answer. Closed by this side: nothing to do.
        if (error_ != asio::error::operation_aborted)
            ec = error_;
    } else {
        auto close_notify = [](byte_stream& stream, std::error_code& result) -> asio::awaitable<bool> {
            co_await stream.shutdown(result);
            co_return true;
        };
        std::error_code op_ec;
        auto op = close_notify(*stream_, op_ec);
        // A TLS shutdown waits for the peer's close_notify: bounded, so that
        // a peer that never answers cannot hold the caller.
        co_await with_deadline(std::move(op), op_ec, options_.shutdown_timeout,
                               make_error_code(asio::error::timed_out), ec);
        // The peer closing the connection after our close_notify, without
        // one of its own, is how many TLS stacks end a connection.
        if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated)
            ec = {};
        error_ = asio::error::operation_aborted;
        log_state(connection_state::closed, ec, "shutdown");
    }
    stream_->close();
    read_change_.notify();
}

// ---- writing ---------------------------------------------------------------

asio::awaitable<void> connection::acquire_writer(std::error_code& ec) {
    // Writes queue here so that two chunks' bytes never interleave: each
    // waiter sleeps until the writer before it is done. release_writer()
    // wakes them by cancelling the timer; a cancellation of the waiting
    // operation itself shows in its cancellation state.
    auto cancellation = co_await asio::this_coro::cancellation_state;
    while (writing_) {
        auto [wait_ec] = co_await write_done_.async_wait(as_tuple_awaitable);
        (void)wait_ec;
        if (cancellation.cancelled() != asio::cancellation_type::none) {
            ec = asio::error::operation_aborted;
            co_return;
        }
    }
    writing_ = true;
}

void connection::release_writer() noexcept {
    writing_ = false;
    write_done_.cancel();
}

asio::awaitable<bool> connection::begin_write(std::error_code& ec) {
    ec = {};
    co_await acquire_writer(ec);
    if (ec)
        co_return false;
    if (error_) {
        ec = error_;
        release_writer();
        co_return false;
    }
    co_return true;
}

asio::awaitable<void> connection::finish_write(std::span<const asio::const_buffer> pieces, std::error_code& ec) {
    co_await stream_->write(pieces, ec);
    release_writer();
    if (ec)
        fail(ec);
}

asio::awaitable<void> connection::write(std::span<const std::string_view> buffers, std::error_code& ec) {
    if (!co_await begin_write(ec))
        co_return;
    // Raw bytes: the logger is told a piece starts a chunk when it looks
    // like a start line (callers that know better use write_chunks).
    auto& gather = gather_;
    gather.clear();
    for (auto b : buffers) {
        if (b.empty())
            continue;
        gather.emplace_back(b.data(), b.size());
        if (options_.logger)
            options_.logger->on_data(traffic_direction::out, stream_->info, b, b.starts_with("MSRP "));
    }
    co_await finish_write(gather, ec);
}

asio::awaitable<void> connection::write_chunks(std::span<const std::string_view> pieces,
                                              std::span<const std::size_t> chunk_ends, std::error_code& ec) {
    if (!co_await begin_write(ec))
        co_return;
    // Pieces that lie next to each other in memory (heads and small bodies
    // copied into one buffer) go to the socket as one, so that a batch of
    // small chunks is a few large pieces of one gather write; the logger
    // gets the same runs, but never one that spans two chunks.
    auto& gather = gather_;
    gather.clear();
    std::size_t piece = 0;
    for (const auto end : chunk_ends) {
        bool first = true;
        while (piece < end) {
            std::string_view run = pieces[piece++];
            while (piece < end && run.data() + run.size() == pieces[piece].data())
                run = std::string_view(run.data(), run.size() + pieces[piece++].size());
            if (run.empty())
                continue;
            if (options_.logger)
                options_.logger->on_data(traffic_direction::out, stream_->info, run, first);
            first = false;
            auto* last = gather.empty() ? nullptr : &gather.back();
            if (last && static_cast<const char*>(last->data()) + last->size() == run.data())
                *last = asio::const_buffer(last->data(), last->size() + run.size());
            else
                gather.emplace_back(run.data(), run.size());
        }
    }
    co_await finish_write(gather, ec);
}

asio::awaitable<void> connection::write_chunk(const Chunk& chunk, std::error_code& ec) {
    ec = {};
    co_await acquire_writer(ec);
    if (ec)
        co_return;
    // The head buffer is reused: it belongs to the one writer at a time.
    serialized_chunk& wire = *write_buffer_;
    ec = serialize(chunk, wire);
    if (!ec && error_)
        ec = error_;
    if (ec) {
        release_writer();
        co_return;
    }
    const auto views = wire.buffers();
    if (options_.logger) {
        options_.logger->on_data(traffic_direction::out, stream_->info, views[0], true);
        for (std::size_t i = 1; i < views.size(); ++i)
            if (!views[i].empty())
                options_.logger->on_data(traffic_direction::out, stream_->info, views[i], false);
    }
    const asio::const_buffer pieces[3] = {asio::buffer(views[0]), asio::buffer(views[1]), asio::buffer(views[2])};
    co_await stream_->write(pieces, ec);
    release_writer();
    if (ec)
        fail(ec);
}

// ---- reading ---------------------------------------------------------------

bool connection::inbox_full() const noexcept {
    for (const auto* s : sessions_)
        if (s->inbox.size() >= options_.max_inbox_chunks)
            return true;
    return false;
}

session_slot* connection::attached(chunk_demux::slot id) const noexcept {
    for (auto* s : sessions_)
        if (s->id == id)
            return s;
    return nullptr;
}

chunk_demux::slot connection::find_session(const URI& to) const {
    for (const auto* s : sessions_)
        if (*s->local_uri == to)
            return s->id;
    return chunk_demux::no_slot;
}

chunk_demux::slot connection::fallback_session(chunk_demux::slot reader) const {
    // A chunk for no session goes to one that can answer it (481); a reader
    // that left the connection cannot.
    if (attached(reader))
        return reader;
    return sessions_.empty() ? chunk_demux::no_slot : sessions_.front()->id;
}

bool connection::routes_by_to_path() const { return sessions_.size() > 1 || unknown_session_; }

bool connection::hand_over(chunk_demux::slot to, session_slot& reader, IncomingChunk& out) {
    // The chunk the demux has ready goes to the reader's own result or to
    // another session's inbox. True when the reader got it.
    if (to == reader.id) {
        demux_.take(out, to);
        return true;
    }
    if (auto* s = attached(to))
        demux_.take(s->inbox.emplace_back(), to);
    return false;
}

bool connection::offer_stranger(session_slot& reader, IncomingChunk& out) {
    // A server may start a session for it; else a session answers it 481.
    IncomingChunk stranger;
    demux_.take(stranger, chunk_demux::no_slot);
    if (unknown_session_ && unknown_session_(shared_from_this(), stranger))
        return false;
    const auto to = fallback_session(reader.id);
    if (to == reader.id) {
        out = std::move(stranger);
        return true;
    }
    if (auto* s = attached(to))
        s->inbox.push_back(std::move(stranger));
    return false;
}

asio::awaitable<void> connection::read(session_slot& session, IncomingChunk& out, std::optional<std::size_t> size,
                                       std::error_code& ec) {
    ec = {};
    for (;;) {
        if (!session.inbox.empty()) {
            out = std::move(session.inbox.front());
            session.inbox.pop_front();
            read_change_.notify(); // a reader may be waiting for room
            co_return;
        }
        if (session.closed) {
            ec = session.closed;
            co_return;
        }
        if (error_) {
            ec = error_;
            co_return;
        }
        // The socket has one reader at a time; a chunk read in segments
        // keeps it until it ends; a full inbox stops reading (backpressure).
        const auto owner = demux_.segment_owner();
        const bool others_chunk = owner != chunk_demux::no_slot && owner != session.id;
        if (reader_ || others_chunk || (!demux_.reading_in_segments() && inbox_full())) {
            if (session.read_wait_hook)
                session.read_wait_hook();
            if (!co_await read_change_.wait()) {
                ec = asio::error::operation_aborted;
                co_return;
            }
            continue;
        }
        reader_ = &session;
        const bool got = co_await read_one(session, out, size, ec);
        reader_ = nullptr;
        read_change_.notify();
        if (got || ec)
            co_return;
    }
}

asio::awaitable<std::size_t> connection::fill(const std::function<void()>& before_wait, std::error_code& ec) {
    // Unconsumed bytes (a head being read, a possible end-line) move to the
    // front so the read has room.
    if (buffer_begin_ > 0) {
        std::memmove(buffer_.get(), buffer_.get() + buffer_begin_, buffer_end_ - buffer_begin_);
        buffer_end_ -= buffer_begin_;
        buffer_begin_ = 0;
    }
    // Cannot happen while the buffer is larger than the parser's head limit
    // (the constructor sees to it); a read into no room would spin.
    if (buffer_end_ == buffer_size_) {
        ec = errc::header_block_too_large;
        co_return 0;
    }
    if (buffer_end_ == 0)
        release_buffer_pages();
    const auto n = co_await stream_->read_some(asio::buffer(buffer_.get() + buffer_end_, buffer_size_ - buffer_end_),
                                               before_wait, ec);
    buffer_end_ += n;
    buffer_touched_ = std::max(buffer_touched_, buffer_end_);
    co_return n;
}

void connection::release_buffer_pages() noexcept {
    // A burst fills the buffer far beyond what quiet traffic uses, and the
    // pages it touched would stay with the connection for good. Once the
    // buffer is empty they go back to the kernel, all but the first
    // `kept_buffer_bytes`, at most once a second: a bulk transfer, which
    // empties the buffer all the time, would otherwise fault its pages in
    // again on every read.
    if (buffer_touched_ <= kept_buffer_bytes)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (now - buffer_released_at_ < std::chrono::seconds(1))
        return;
    buffer_released_at_ = now;
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto begin = reinterpret_cast<std::uintptr_t>(buffer_.get());
    const auto from = (begin + kept_buffer_bytes + page - 1) / page * page;
    const auto to = (begin + buffer_touched_) / page * page;
    if (to > from)
        ::madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
    buffer_touched_ = kept_buffer_bytes;
}

asio::awaitable<bool> connection::read_one(session_slot& reader, IncomingChunk& out,
                                           std::optional<std::size_t> size, std::error_code& ec) {
    // Fills the buffer and feeds it to the demux until a chunk or segment
    // for the reader is ready (true), or one for another session or for
    // none was handed over (false: the reader looks at its inbox again).
    const chunk_demux::reader who{reader.id, size};
    for (;;) {
        const std::string_view input(buffer_.get() + buffer_begin_, buffer_end_ - buffer_begin_);
        const auto r = demux_.step(input, who, *this);
        if (options_.logger && !r.wire.empty())
            options_.logger->on_data(traffic_direction::in, stream_->info, r.wire, r.event == demux_event::head);
        buffer_begin_ += r.consumed;
        switch (r.event) {
        case demux_event::need_more: {
            // A session that left the connection stops between chunks.
            if (demux_.between_chunks() && reader.closed) {
                ec = reader.closed;
                co_return false;
            }
            std::error_code read_ec;
            co_await fill(reader.read_wait_hook, read_ec);
            if (read_ec) {
                // A close in the middle of a chunk is a truncated chunk.
                const auto why = demux_.finish(buffer_end_ - buffer_begin_);
                fail(read_ec == asio::error::eof && why ? why : read_ec);
                ec = error_;
                co_return false;
            }
            continue;
        }
        case demux_event::head:
        case demux_event::body:
            continue;
        case demux_event::chunk:
        case demux_event::segment:
            co_return hand_over(r.to, reader, out);
        case demux_event::unknown_session:
            co_return offer_stranger(reader, out);
        case demux_event::skipped:
            co_return false;
        case demux_event::error:
            fail(r.ec);
            ec = r.ec;
            co_return false;
        }
    }
}

} // namespace msrp::detail
