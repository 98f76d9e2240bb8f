#include <msrp/protocol/message_assembler.hpp>

#include <cstring>

namespace msrp {
namespace {

constexpr auto unknown = ByteRange::unknown;

// A message piece with the chunk's header fields: copied, or moved when
// it is the chunk's last use.
IncomingMessage piece_of(const Chunk& chunk) {
    IncomingMessage m;
    m.transaction_id = chunk.transaction_id;
    m.method = chunk.method;
    m.headers = chunk.headers;
    m.has_body = chunk.has_body;
    return m;
}

} // namespace

void message_assembler::recent_ids::add(std::string_view id, std::size_t capacity) {
    if (capacity == 0 || id.size() > sizeof(ident::bytes) || !set_.try_emplace(id, 0).second)
        return;
    ident entry;
    entry.length = static_cast<std::uint8_t>(id.size());
    std::memcpy(entry.bytes, id.data(), id.size());
    if (ring_.size() < capacity) {
        ring_.push_back(entry);
        return;
    }
    // Full: the oldest makes room.
    ident& oldest = ring_[oldest_];
    set_.erase(std::string_view(oldest.bytes, oldest.length));
    oldest = entry;
    oldest_ = (oldest_ + 1) % ring_.size();
}

message_assembler::message_assembler(assembler_limits limits) : limits_(limits) {}

void message_assembler::end_message(message_map::iterator it) {
    if (it->second.whole)
        buffered_bytes_ -= it->second.total;
    ended_.add(it->first, limits_.remembered_message_ids);
    messages_.erase(it);
}

std::error_code message_assembler::fail_message(message_map::iterator it, Chunk& chunk, std::error_code why,
                                                std::vector<IncomingMessage>& out) {
    // The application learns that the message will not complete; later
    // chunks of it are answered as this one.
    IncomingMessage m = piece_of(chunk);
    m.contflag = contflag::aborted;
    m.failure = why;
    m.remove_header("Byte-Range");
    out.push_back(std::move(m));
    if (why != errc::message_aborted)
        stopped_.add(it->first, limits_.remembered_message_ids);
    end_message(it);
    return why == errc::message_aborted ? std::error_code{} : why;
}

bool message_assembler::stop(std::string_view message_id, Chunk* first_chunk) {
    const auto it = messages_.find(std::string(message_id));
    if (it == messages_.end())
        return false;
    if (first_chunk)
        *first_chunk = std::move(it->second.head);
    stopped_.add(it->first, limits_.remembered_message_ids);
    end_message(it);
    return true;
}

std::optional<std::uint64_t> message_assembler::in_order_bytes(const std::string& message_id) const {
    const auto it = messages_.find(message_id);
    if (it == messages_.end())
        return std::nullopt;
    return it->second.received.contiguous_from(1);
}

void message_assembler::finish(std::vector<IncomingMessage>& out) {
    for (auto& [id, msg] : messages_) {
        IncomingMessage m;
        m.method = "SEND";
        m.set_message_id(id);
        m.contflag = contflag::aborted;
        m.failure = errc::message_incomplete;
        out.push_back(std::move(m));
    }
    messages_.clear();
    buffered_bytes_ = 0;
}

std::error_code message_assembler::add(Chunk&& chunk, std::vector<IncomingMessage>& out) {
    const std::string* id_field = chunk.find_header("Message-ID");
    const std::string id = id_field ? *id_field : std::string();
    if (id.size() > detail::ident_map<char>::max_key_bytes)
        return errc::bad_message_id; // RFC 4975 §9: not an ident, and not kept
    if (stopped_.contains(id))
        return errc::message_stopped;

    // Absent, the chunk is a whole message (RFC 4975 §7.1.1); present, it
    // must parse: a bad one is not read as absent.
    ByteRange range{1, unknown, unknown};
    if (const std::string* field = chunk.find_header("Byte-Range"); field && ByteRange::parse(*field, range))
        return errc::bad_byte_range;
    const std::uint64_t n = chunk.data.size();
    // The bytes' positions come from the data actually received: a range
    // end of `*` is resolved, a wrong one is checked below.
    if (range.start > unknown - n - 1)
        return errc::inconsistent_byte_range;
    const std::uint64_t first = range.start;
    const std::uint64_t last = first + n - 1; // first - 1 when there are no bytes
    auto it = messages_.find(id);
    if (range.end != unknown && n > 0 && range.end != last && chunk.contflag == contflag::complete) {
        // The one miscount that can mean only one thing: a whole message
        // (1-N/N, '$', nothing of it before) whose body the end-line
        // delimits; see assembler_limits::accept_miscounted_whole_message.
        // Octets are never fewer than characters: a shorter body is another fault.
        const bool whole_claimed = first == 1 && range.end == range.total && last > range.end &&
                                   it == messages_.end() && !ended_.contains(id);
        if (!limits_.accept_miscounted_whole_message || !whole_claimed)
            return errc::inconsistent_byte_range;
        range.total = n;
    }

    if (it == messages_.end()) {
        if (ended_.contains(id))
            return {}; // a late duplicate of a message already delivered
        // The usual case: the whole message in one chunk, handed on as it is.
        if (first == 1 && chunk.contflag == contflag::complete && (range.total == unknown || range.total == n)) {
            if (n > limits_.max_message_bytes)
                return errc::message_too_large;
            IncomingMessage m;
            static_cast<Chunk&>(m) = std::move(chunk);
            m.set_byte_range(ByteRange{1, n, n});
            out.push_back(std::move(m));
            ended_.add(id, limits_.remembered_message_ids);
            return {};
        }
        if (chunk.contflag == contflag::aborted)
            return {}; // given up before anything of it arrived: nothing to tell
        if (messages_.size() >= limits_.max_messages_in_progress)
            return errc::too_many_messages;
        if (range.total != unknown && range.total > limits_.max_message_bytes)
            return errc::message_too_large;
        message fresh;
        fresh.head = piece_of(chunk);
        fresh.total = range.total;
        fresh.end = unknown;
        fresh.whole = range.total != unknown && range.total <= limits_.max_whole_message_bytes;
        if (fresh.whole) {
            fresh.body.resize(static_cast<std::size_t>(range.total));
            buffered_bytes_ += range.total;
        }
        it = messages_.emplace(id, std::move(fresh)).first;
    }
    message& msg = it->second;

    if (range.total != unknown && range.total != msg.total) {
        if (msg.total != unknown)
            return fail_message(it, chunk, errc::inconsistent_byte_range, out);
        // Learnt late (the message stays in pieces): it must hold the bytes
        // received so far and agree with the end a `$` chunk gave.
        if (range.total > limits_.max_message_bytes)
            return fail_message(it, chunk, errc::message_too_large, out);
        if (msg.highest > range.total || (msg.end != unknown && msg.end != range.total))
            return fail_message(it, chunk, errc::inconsistent_byte_range, out);
        msg.total = range.total;
    }
    if (n > 0 && last > limits_.max_message_bytes)
        return fail_message(it, chunk, errc::message_too_large, out);
    // The last byte's position: the total, or the end a `$` chunk gave.
    const std::uint64_t known_end = msg.total != unknown ? msg.total : msg.end;
    if (n > 0 && known_end != unknown && last > known_end)
        return fail_message(it, chunk, errc::inconsistent_byte_range, out);
    if (chunk.contflag == contflag::aborted)
        return fail_message(it, chunk, errc::message_aborted, out);
    if (chunk.contflag == contflag::complete) {
        if ((known_end != unknown && last != known_end) || last < msg.highest)
            return fail_message(it, chunk, errc::inconsistent_byte_range, out);
        msg.end = last;
    }
    if (n > 0 && last > msg.highest)
        msg.highest = last;

    const auto fresh_parts = msg.received.insert(first, last);
    const std::size_t pieces_before = out.size();
    for (const auto& [a, b] : fresh_parts) {
        const auto offset = static_cast<std::size_t>(a - first);
        const auto length = static_cast<std::size_t>(b - a + 1);
        if (msg.whole) {
            std::memcpy(msg.body.data() + (a - 1), chunk.data.data() + offset, length);
            continue;
        }
        IncomingMessage piece = piece_of(chunk);
        piece.data.assign(chunk.data, offset, length);
        piece.set_byte_range(ByteRange{a, b, msg.total});
        piece.contflag = contflag::more;
        out.push_back(std::move(piece));
    }

    const std::uint64_t end = msg.total != unknown ? msg.total : msg.end;
    if (end == unknown || !msg.received.covers(1, end))
        return {};
    if (msg.whole) {
        IncomingMessage m = piece_of(chunk);
        m.data = std::move(msg.body);
        m.set_byte_range(ByteRange{1, end, end});
        m.contflag = contflag::complete;
        out.push_back(std::move(m));
    } else if (out.size() > pieces_before) {
        out.back().contflag = contflag::complete;
        if (msg.total == unknown) {
            auto r = out.back().byte_range().value_or(ByteRange{});
            r.total = end;
            out.back().set_byte_range(r);
        }
    } else {
        // The chunk that completed the message brought no new byte (an
        // empty last chunk): the application still learns that it ended.
        IncomingMessage m = piece_of(chunk);
        m.set_byte_range(ByteRange{end + 1, end, end});
        m.contflag = contflag::complete;
        out.push_back(std::move(m));
    }
    end_message(it);
    return {};
}

} // namespace msrp
