#include <msrp/protocol/chunk_reader.hpp>
#include <msrp/protocol/chunk_serializer.hpp>
#include <msrp/transport/transport.hpp>

#include "byte_stream.hpp"

#include <asio/error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <cstring>

namespace msrp {
namespace {

// The end-line after a body, as the serializer writes it.
constexpr std::size_t end_line_overhead = 2 + 7 + 64 + 3;

[[noreturn]] void throw_error(std::error_code ec, const char* what) { throw std::system_error(ec, what); }

} // namespace

MSRPTransport::MSRPTransport(std::unique_ptr<detail::byte_stream> stream, URI local_uri, Path full_local_path,
                             Path full_remote_path, transport_options options)
    : stream_(std::move(stream)),
      local_uri_(std::move(local_uri)),
      full_local_path_(std::move(full_local_path)),
      full_remote_path_(std::move(full_remote_path)),
      options_(std::move(options)),
      parser_(options_.parser),
      write_done_(stream_->get_executor()) {
    // The buffer holds a whole head while the parser checks it in place.
    buffer_size_ = std::max(options_.read_buffer_bytes,
                            parser_.options().limits.max_header_block_bytes + end_line_overhead);
    buffer_ = std::make_unique<char[]>(buffer_size_);
    write_buffer_ = std::make_unique<serialized_chunk>();
}

MSRPTransport::~MSRPTransport() = default;

asio::any_io_executor MSRPTransport::get_executor() const { return stream_->get_executor(); }

const connection_info& MSRPTransport::connection() const noexcept { return stream_->info; }

bool MSRPTransport::is_open() const noexcept { return stream_->is_open() && !error_; }

void MSRPTransport::log_state(connection_state state, std::error_code ec, std::string_view detail) const {
    if (options_.logger)
        options_.logger->on_state(connection_event{state, stream_->info, ec, detail, {}});
}

void MSRPTransport::fail(std::error_code ec) noexcept {
    if (!error_) {
        error_ = ec;
        log_state(ec == asio::error::eof ? connection_state::closed : connection_state::error, ec);
    }
    stream_->close();
}

void MSRPTransport::close() noexcept {
    if (!error_) {
        error_ = asio::error::operation_aborted;
        log_state(connection_state::closed);
    }
    stream_->close();
}

asio::awaitable<void> MSRPTransport::shutdown() {
    if (!error_) {
        std::error_code ec;
        co_await stream_->shutdown(ec);
        error_ = asio::error::operation_aborted;
        log_state(connection_state::closed, {}, "shutdown");
    }
    stream_->close();
}

Chunk MSRPTransport::make_chunk(const make_chunk_params& params) const {
    return msrp::make_chunk(full_remote_path_, Path{local_uri_}, params);
}

void MSRPTransport::bind_to(URI local_uri, Path full_local_path, Path full_remote_path) {
    local_uri_ = std::move(local_uri);
    full_local_path_ = std::move(full_local_path);
    full_remote_path_ = std::move(full_remote_path);
}

void MSRPTransport::unread(IncomingChunk chunk) { unread_.push_back(std::move(chunk)); }

std::error_code MSRPTransport::check_incoming_SEND_chunk(const Chunk& chunk) const {
    // RFC 4975 §7.3: the request is for this session if the To-Path names
    // this side's URI; RFC 4976 §6: relays add themselves in front of the
    // From-Path, whose last URI is the peer.
    const auto to = chunk.to_path();
    const auto from = chunk.from_path();
    if (!to || to->size() != 1 || !((*to)[0] == local_uri_))
        return errc::session_mismatch;
    if (!from || from->empty() || full_remote_path_.empty() || !(from->back() == full_remote_path_.back()))
        return errc::session_mismatch;
    return {};
}

asio::awaitable<void> MSRPTransport::write(std::span<const std::string_view> buffers) {
    std::error_code ec;
    co_await write(buffers, ec);
    if (ec)
        throw_error(ec, "MSRPTransport::write");
}

asio::awaitable<void> MSRPTransport::acquire_writer(std::error_code& ec) {
    // Writes queue here so that two chunks' bytes never interleave: each
    // waiter sleeps until the writer before it is done. release_writer()
    // wakes them by cancelling the timer; a cancellation of the waiting
    // operation itself shows in its cancellation state.
    auto cancellation = co_await asio::this_coro::cancellation_state;
    while (writing_) {
        write_done_.expires_at(asio::steady_timer::time_point::max());
        auto [wait_ec] = co_await write_done_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        (void)wait_ec;
        if (cancellation.cancelled() != asio::cancellation_type::none) {
            ec = asio::error::operation_aborted;
            co_return;
        }
    }
    writing_ = true;
}

void MSRPTransport::release_writer() noexcept {
    writing_ = false;
    write_done_.cancel();
}

asio::awaitable<void> MSRPTransport::write(std::span<const std::string_view> buffers, std::error_code& ec) {
    ec = {};
    co_await acquire_writer(ec);
    if (ec)
        co_return;
    if (error_) {
        ec = error_;
        release_writer();
        co_return;
    }
    std::vector<asio::const_buffer> pieces;
    pieces.reserve(buffers.size());
    for (auto b : buffers) {
        if (!b.empty())
            pieces.emplace_back(b.data(), b.size());
        if (options_.logger && !b.empty())
            options_.logger->on_data(traffic_direction::out, stream_->info, b, b.starts_with("MSRP "));
    }
    co_await stream_->write(pieces, ec);
    release_writer();
    if (ec)
        fail(ec);
}

asio::awaitable<void> MSRPTransport::write_chunk(const Chunk& chunk) {
    std::error_code ec;
    co_await write_chunk(chunk, ec);
    if (ec)
        throw_error(ec, "MSRPTransport::write_chunk");
}

asio::awaitable<void> MSRPTransport::write_chunk(const Chunk& chunk, std::error_code& ec) {
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

asio::awaitable<std::size_t> MSRPTransport::fill(std::error_code& ec) {
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
    const auto n = co_await stream_->read_some(asio::buffer(buffer_.get() + buffer_end_, buffer_size_ - buffer_end_),
                                               ec);
    buffer_end_ += n;
    co_return n;
}

asio::awaitable<IncomingChunk> MSRPTransport::read_chunk(std::optional<std::size_t> size) {
    std::error_code ec;
    auto chunk = co_await read_chunk(size, ec);
    if (ec)
        throw_error(ec, "MSRPTransport::read_chunk");
    co_return chunk;
}

asio::awaitable<IncomingChunk> MSRPTransport::read_chunk(std::optional<std::size_t> size, std::error_code& ec) {
    IncomingChunk chunk;
    co_await read_chunk_into(chunk, size, ec);
    co_return chunk;
}

asio::awaitable<void> MSRPTransport::read_chunk_into(IncomingChunk& out, std::optional<std::size_t> size,
                                                     std::error_code& ec) {
    ec = {};
    // A segment handed out narrows the Byte-Range to the bytes it carries.
    auto take_segment = [&](bool last) {
        IncomingChunk& c = *partial_;
        ++c.segment;
        const auto whole = c.byte_range().value_or(ByteRange{1, ByteRange::unknown, ByteRange::unknown});
        ByteRange r{partial_body_start_, partial_body_start_ + c.data.size() - 1, whole.total};
        if (last && whole.end != ByteRange::unknown)
            r.end = whole.end;
        if (c.data.empty())
            r.end = r.start - 1;
        partial_body_start_ += c.data.size();
        out = c;
        out.set_byte_range(r);
        if (!last)
            out.contflag = contflag::more;
        c.data.clear();
        if (last)
            partial_.reset();
    };

    if (!unread_.empty()) {
        out = std::move(unread_.back());
        unread_.pop_back();
        co_return;
    }
    // Without segments the chunk is built in `out` itself, so a caller that
    // passes the same object again reuses its buffers.
    IncomingChunk* work = partial_ ? &*partial_ : nullptr;
    for (;;) {
        if (error_) {
            ec = error_;
            co_return;
        }
        const std::string_view input(buffer_.get() + buffer_begin_, buffer_end_ - buffer_begin_);
        const auto r = parser_.parse(input);
        switch (r.event) {
        case parse_event::need_more: {
            // A segment goes out only when the next bytes are not there yet,
            // so a chunk that is complete in the buffer comes out whole.
            if (size && partial_ && partial_->data.size() > *size) {
                take_segment(false);
                co_return;
            }
            std::error_code read_ec;
            co_await fill(read_ec);
            if (read_ec) {
                // A close in the middle of a chunk is a truncated chunk.
                const auto why = parser_.finish(buffer_end_ - buffer_begin_);
                fail(read_ec == asio::error::eof && why ? why : read_ec);
                ec = error_;
                co_return;
            }
            continue;
        }
        case parse_event::head: {
            if (options_.logger)
                options_.logger->on_data(traffic_direction::in, stream_->info, input.substr(0, r.consumed), true);
            if (size) {
                partial_.emplace();
                work = &*partial_;
            } else {
                work = &out;
            }
            const auto& head = parser_.head();
            copy_head(head, *work);
            work->segment = 0;
            work->answered = false;
            partial_body_start_ = head.has_byte_range ? head.byte_range.start : 1;
            // One allocation for the body the Byte-Range announces (bounded:
            // the peer's number is only a hint), not one per doubling.
            if (head.has_byte_range && head.byte_range.end != ByteRange::unknown &&
                head.byte_range.end + 1 > head.byte_range.start) {
                const auto announced = head.byte_range.end + 1 - head.byte_range.start;
                const auto cap = size ? *size + 1 : options_.max_chunk_body_bytes;
                work->data.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(announced, cap)));
            }
            buffer_begin_ += r.consumed;
            continue;
        }
        case parse_event::body:
            if (options_.logger)
                options_.logger->on_data(traffic_direction::in, stream_->info, r.body, false);
            if (!size && work->data.size() + r.body.size() > options_.max_chunk_body_bytes) {
                fail(errc::body_too_large);
                ec = error_;
                co_return;
            }
            work->data.append(r.body);
            buffer_begin_ += r.consumed;
            continue;
        case parse_event::end:
            if (options_.logger && r.consumed)
                options_.logger->on_data(traffic_direction::in, stream_->info, input.substr(0, r.consumed), false);
            buffer_begin_ += r.consumed;
            work->contflag = parser_.continuation_flag();
            if (work == &out)
                co_return;
            if (partial_->segment > 0) {
                take_segment(true);
            } else {
                out = std::move(*partial_);
                partial_.reset();
            }
            co_return;
        case parse_event::error:
            fail(r.ec);
            ec = r.ec;
            co_return;
        }
    }
}

} // namespace msrp
