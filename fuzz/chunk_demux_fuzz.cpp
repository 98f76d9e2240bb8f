// libFuzzer target: chunk_demux segmenting and routing the chunks of
// several sessions over one connection.
//
// Input layout: the first `config_bytes` bytes choose the sessions (how
// many, their URIs), who reads, the segment size, a session leaving, the
// body limit and how the rest is split into pieces (see `decode_config`);
// the rest is the byte stream. `fuzz/make_corpus.py` writes seeds in this
// layout.
//
// The stream is fed in the chosen pieces the way a connection feeds it
// (keep the unconsumed bytes, append the next piece, step until need_more,
// take what is handed out). Checked against a plain `chunk_reader` given
// the stream in one piece, and against the routing rules:
// - every chunk ends in exactly one outcome (a whole chunk, its last
//   segment, unknown_session, skipped), in stream order;
//   a whole chunk equals the reader's; the segments of a chunk concatenate
//   to its body, are numbered 1, 2, ..., carry Byte-Ranges that follow on
//   from each other, `+` until the last, which carries the chunk's flag;
// - a chunk goes to the session its To-Path names, to the fallback when it
//   names none the demux can read, is unknown_session when it names no
//   session, and is skipped only when its session left while it was read;
// - same_paths_as_previous is true only when the paths equal those of the
//   previous chunk that session got;
// - memory: the bytes kept unconsumed, a whole chunk's body and a segment's
//   bytes stay within their bounds;
// - errors: the reader's, or body_too_large for a whole chunk over the limit.

#include <msrp/protocol/chunk_demux.hpp>
#include <msrp/protocol/chunk_reader.hpp>
#include <msrp/protocol/path.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "xorshift.hpp"

namespace {

using msrp::chunk_demux;
using msrp::demux_event;
using slot = chunk_demux::slot;
constexpr slot nobody = chunk_demux::no_slot;
constexpr std::size_t config_bytes = 8;

struct config {
    msrp::parser_options options;
    std::size_t sessions = 1;
    bool strangers_taken = false;    // a server takes chunks for unknown sessions
    bool readers_rotate = false;     // between chunks, any session may read
    bool only_first_segments = false; // only session 0 asks for segments
    std::optional<std::size_t> segment_bytes;
    std::uint8_t uri_choice = 0;     // 2 bits a session
    std::uint32_t seed = 1;
    std::size_t max_piece = 1;
    int leaver = -1;                 // the session that leaves, if any
    std::uint64_t leave_at_step = 0;
    std::optional<std::uint64_t> small_body_limit;
};

// Byte 0: bits 0..1 sessions - 1; bit 2 strangers are taken; bit 3 the
//         body limit of byte 7; bit 4 lenient parser options; bit 5 readers
//         rotate; bit 6 only session 0 reads in segments.
// Byte 1: max piece size - 1 (pieces are 1..max bytes, from the seed).
// Byte 2: 0: whole chunks only; else segments of (byte 2 - 1) bytes.
// Byte 3: each session's URI, 2 bits each from bit 0: 0..2 the URI of the
//         0th..2nd distinct To-Path target in the stream, 3 one naming nothing.
// Bytes 4..5: seed of the piece sizes, the readers, forget_routes calls.
// Byte 6: bits 0..1 the session that leaves, bits 2..7 after 4 * that many
//         steps (0: nobody leaves).
// Byte 7: with bit 3 of byte 0, whole chunk bodies are limited to 32 * byte 7.
config decode_config(const std::uint8_t* b) {
    config c;
    c.sessions = 1 + (b[0] & 0x03);
    c.strangers_taken = (b[0] & 0x04) != 0;
    if (b[0] & 0x08)
        c.small_body_limit = std::uint64_t{b[7]} * 32;
    if (b[0] & 0x10) {
        c.options.require_path_order = false;
        c.options.accept_any_transport = true;
    }
    c.readers_rotate = (b[0] & 0x20) != 0;
    c.only_first_segments = (b[0] & 0x40) != 0;
    c.max_piece = std::size_t{b[1]} + 1;
    if (b[2])
        c.segment_bytes = std::size_t{b[2]} - 1;
    c.uri_choice = b[3];
    c.seed = (std::uint32_t{b[4]} | std::uint32_t{b[5]} << 8) * 2654435761u + 1;
    if (b[6] >> 2) {
        c.leaver = b[6] & 0x03;
        c.leave_at_step = static_cast<std::uint64_t>(b[6] >> 2) * 4;
    }
    return c;
}

struct session {
    slot id = 0;
    msrp::URI uri;
    bool attached = true;
    std::optional<std::size_t> segment_bytes;
    // The paths of the last chunk (or segment) this session got.
    bool got_any = false;
    std::string last_to, last_from;
};

struct fuzz_router : chunk_demux::router {
    std::vector<session>* sessions = nullptr;
    bool strangers = false;

    slot find_session(const msrp::URI& to) const override {
        for (const auto& s : *sessions)
            if (s.attached && s.uri == to)
                return s.id;
        return nobody;
    }
    slot fallback_session(slot reader) const override {
        for (const auto& s : *sessions)
            if (s.attached && s.id == reader)
                return reader;
        for (const auto& s : *sessions)
            if (s.attached)
                return s.id;
        return nobody;
    }
    bool routes_by_to_path() const override {
        return strangers || std::count_if(sessions->begin(), sessions->end(),
                                          [](const session& s) { return s.attached; }) > 1;
    }
};

// The chunk being read, as the test expects it to go.
struct expectation {
    std::size_t index = 0;  // in the stream (and in the reference's chunks)
    bool unknown = false;
    slot to = nobody;
    bool segmented = false;
    bool left = false;      // its session left while it was read
    int segments = 0;
    std::uint64_t next_start = 1;
    std::string body;       // its segments so far
};

// The demux's rules, written out again from its documentation.
expectation expect(const fuzz_router& routes, std::string_view to_path, const chunk_demux::reader& who) {
    expectation e;
    slot to = nobody;
    msrp::Path path;
    if (!routes.routes_by_to_path() || msrp::parse_path(to_path, path) || path.empty())
        to = routes.fallback_session(who.id);
    else
        to = routes.find_session(path.front());
    e.to = to;
    e.unknown = to == nobody;
    e.segmented = to != nobody && to == who.id && who.segment_bytes.has_value();
    return e;
}

bool same_but_byte_range(const msrp::Chunk& got, const msrp::Chunk& want) {
    if (got.transaction_id != want.transaction_id || got.method != want.method || got.code != want.code ||
        got.comment != want.comment || got.has_body != want.has_body)
        return false;
    // A segment's Byte-Range is set by name, in any case.
    auto without_range = [](const msrp::Chunk& c) {
        auto copy = c;
        copy.remove_header("Byte-Range");
        return copy.headers;
    };
    return without_range(got) == without_range(want);
}

class fuzz_run {
public:
    fuzz_run(const config& c, std::string_view stream)
        : c_(c), stream_(stream), demux_(c.options, body_limit(c, stream)), random_(c.seed) {
        // The reference: whole chunks, nothing routed, no body limit that
        // this input could reach.
        msrp::chunk_reader reader(c.options, stream.size() + 1);
        ref_ec_ = reader.feed(stream);
        if (!ref_ec_)
            ref_ec_ = reader.finish();
        while (auto chunk = reader.next())
            ref_.push_back(std::move(*chunk));
        make_sessions();
        routes_.sessions = &sessions_;
        routes_.strangers = c.strangers_taken;
        who_ = {0, sessions_[0].segment_bytes};
    }

    void run() {
        std::size_t from = 0;
        while (from < stream_.size() && !failed_) {
            const auto n = std::min<std::size_t>(stream_.size() - from, 1 + next_random(random_) % c_.max_piece);
            pending_.erase(0, begin_);
            begin_ = 0;
            pending_.append(stream_.substr(from, n));
            from += n;
            last_piece_ = n;
            drain();
        }
        if (!failed_) {
            const auto ec = demux_.finish(pending_.size() - begin_);
            FUZZ_CHECK(ec == ref_ec_);
            FUZZ_CHECK(done_ == ref_.size());
            FUZZ_CHECK(!current_ || ec);
        }
    }

private:
    static std::uint64_t body_limit(const config& c, std::string_view stream) {
        return c.small_body_limit ? *c.small_body_limit : stream.size() + 1;
    }

    void make_sessions() {
        // The distinct targets of the stream's To-Paths, so that sessions
        // can be named by them.
        std::vector<msrp::URI> targets;
        for (const auto& chunk : ref_) {
            const auto* to = chunk.find_header("To-Path");
            msrp::Path path;
            if (!to || msrp::parse_path(*to, path) || path.empty())
                continue;
            if (std::find(targets.begin(), targets.end(), path.front()) == targets.end())
                targets.push_back(path.front());
        }
        for (std::size_t i = 0; i < c_.sessions; ++i) {
            const unsigned choice = (c_.uri_choice >> (2 * i)) & 0x03;
            session s;
            s.id = static_cast<slot>(i);
            if (choice < 3 && choice < targets.size())
                s.uri = targets[choice];
            else
                s.uri = msrp::URI::parse("msrp://nobody.invalid:1/s" + std::to_string(i) + ";tcp");
            if (!c_.only_first_segments || i == 0)
                s.segment_bytes = c_.segment_bytes;
            sessions_.push_back(std::move(s));
        }
    }

    session* find(slot id) {
        for (auto& s : sessions_)
            if (s.id == id)
                return &s;
        return nullptr;
    }

    void choose_reader() {
        const auto owner = demux_.segment_owner();
        if (owner != nobody) {
            // Only the session a chunk in segments belongs to may read on.
            who_ = {owner, find(owner)->segment_bytes};
            return;
        }
        if (!demux_.between_chunks())
            return;
        session* s = find(who_.id);
        if (c_.readers_rotate || !s->attached) {
            std::vector<session*> live;
            for (auto& x : sessions_)
                if (x.attached)
                    live.push_back(&x);
            if (!live.empty())
                s = live[next_random(random_) % live.size()];
        }
        who_ = {s->id, s->segment_bytes};
    }

    void maybe_leave() {
        if (c_.leaver < 0 || steps_ != c_.leave_at_step || static_cast<std::size_t>(c_.leaver) >= sessions_.size())
            return;
        session& s = sessions_[static_cast<std::size_t>(c_.leaver)];
        s.attached = false;
        demux_.session_left(s.id);
        if (current_ && !current_->unknown && current_->to == s.id)
            current_->left = true;
    }

    void drain() {
        for (;;) {
            ++steps_;
            maybe_leave();
            if ((next_random(random_) & 15) == 0)
                demux_.forget_routes(); // as when a session binds: routes stay the same
            choose_reader();
            const std::string_view input = std::string_view(pending_).substr(begin_);
            const auto r = demux_.step(input, who_, routes_);
            FUZZ_CHECK(r.consumed <= input.size());
            FUZZ_CHECK(r.wire.size() == r.consumed);
            FUZZ_CHECK(r.consumed == 0 || r.wire.data() == input.data());
            begin_ += r.consumed;
            switch (r.event) {
            case demux_event::need_more:
                // The caller keeps at most one head plus a possible end-line.
                FUZZ_CHECK(pending_.size() - begin_ <= demux_.parser().options().limits.max_header_block_bytes + 128);
                return;
            case demux_event::head: {
                FUZZ_CHECK(!current_);
                FUZZ_CHECK(r.consumed > 0);
                const auto& head = demux_.parser().head();
                current_ = expect(routes_, head.to_path, who_);
                current_->index = heads_++;
                current_->next_start = head.has_byte_range ? head.byte_range.start : 1;
                FUZZ_CHECK(current_->index == done_);
                break;
            }
            case demux_event::body:
                FUZZ_CHECK(current_);
                break;
            case demux_event::chunk:
                on_chunk(r.to);
                break;
            case demux_event::segment:
                on_segment(r.to);
                break;
            case demux_event::unknown_session:
                on_unknown();
                break;
            case demux_event::skipped:
                FUZZ_CHECK(current_ && current_->left);
                FUZZ_CHECK(current_->segmented || routes_.fallback_session(who_.id) == nobody);
                end_chunk();
                break;
            case demux_event::error:
                on_error(r.ec);
                return;
            }
        }
    }

    const msrp::Chunk& reference_chunk() const {
        FUZZ_CHECK(current_ && current_->index < ref_.size());
        return ref_[current_->index];
    }

    // What `s` got: same_paths_as_previous must be true only when the
    // paths are those of the previous chunk it got.
    void got(slot to, const msrp::IncomingChunk& chunk) {
        session* s = find(to);
        FUZZ_CHECK(s);
        const auto* to_path = chunk.find_header("To-Path");
        const auto* from_path = chunk.find_header("From-Path");
        FUZZ_CHECK(to_path && from_path);
        if (chunk.same_paths_as_previous)
            FUZZ_CHECK(s->got_any && *to_path == s->last_to && *from_path == s->last_from);
        s->got_any = true;
        s->last_to = *to_path;
        s->last_from = *from_path;
    }

    void on_chunk(slot to) {
        FUZZ_CHECK(current_);
        const auto& want = reference_chunk();
        // A chunk read for segments that was complete in the input comes out whole.
        FUZZ_CHECK(!current_->segmented || current_->segments == 0);
        FUZZ_CHECK(to == (current_->left ? routes_.fallback_session(who_.id) : current_->to));
        FUZZ_CHECK(to != nobody);
        msrp::IncomingChunk chunk;
        demux_.take(chunk, to);
        FUZZ_CHECK(chunk.segment == 0 && chunk.end_of_chunk && !chunk.answered);
        FUZZ_CHECK(static_cast<const msrp::Chunk&>(chunk) == want);
        // Bounded by the limit, or, read for segments, by what one piece brought.
        if (current_->segmented)
            FUZZ_CHECK(chunk.data.size() <= *who_.segment_bytes + last_piece_ + 128);
        else
            FUZZ_CHECK(chunk.data.size() <= demux_.max_chunk_body_bytes());
        got(to, chunk);
        end_chunk();
    }

    void on_segment(slot to) {
        FUZZ_CHECK(current_ && current_->segmented && !current_->left);
        FUZZ_CHECK(to == current_->to);
        msrp::IncomingChunk chunk;
        demux_.take(chunk, to);
        FUZZ_CHECK(chunk.segment == ++current_->segments);
        // Its Byte-Range is well formed and follows on from the previous one
        // (positions saturate near 2^64).
        const auto range = chunk.byte_range();
        FUZZ_CHECK(range);
        if (current_->next_start < (std::uint64_t{1} << 62))
            FUZZ_CHECK(range->start == current_->next_start);
        current_->next_start += chunk.data.size();
        // A segment holds what the reader asked for plus what one piece brought.
        FUZZ_CHECK(chunk.data.size() <= *who_.segment_bytes + last_piece_ + 128);
        current_->body += chunk.data;
        got(to, chunk);
        if (!chunk.end_of_chunk) {
            FUZZ_CHECK(to == who_.id);
            FUZZ_CHECK(chunk.data.size() > *who_.segment_bytes);
            FUZZ_CHECK(chunk.contflag == msrp::contflag::more);
            if (current_->next_start < (std::uint64_t{1} << 62))
                FUZZ_CHECK(range->end == range->start + chunk.data.size() - 1);
            if (current_->index < ref_.size())
                FUZZ_CHECK(same_but_byte_range(chunk, ref_[current_->index]));
            return;
        }
        const auto& want = reference_chunk();
        FUZZ_CHECK(current_->body == want.data);
        FUZZ_CHECK(chunk.contflag == want.contflag);
        FUZZ_CHECK(same_but_byte_range(chunk, want));
        end_chunk();
    }

    void on_unknown() {
        FUZZ_CHECK(current_ && current_->unknown);
        msrp::IncomingChunk chunk;
        demux_.take(chunk, nobody);
        FUZZ_CHECK(!chunk.same_paths_as_previous);
        FUZZ_CHECK(static_cast<const msrp::Chunk&>(chunk) == reference_chunk());
        // Not taken: as a connection does, the fallback answers it.
        if (!c_.strangers_taken) {
            const auto to = routes_.fallback_session(who_.id);
            if (to != nobody)
                got(to, chunk);
        }
        end_chunk();
    }

    void on_error(std::error_code ec) {
        failed_ = true;
        FUZZ_CHECK(demux_.finish() == ec); // errors are final
        if (ec == ref_ec_ && done_ == ref_.size())
            return; // the reader's error, at the same chunk
        // Else the demux's own limit: only on a whole chunk larger than it.
        FUZZ_CHECK(ec == msrp::errc::body_too_large && c_.small_body_limit);
        FUZZ_CHECK(current_ && !current_->segmented);
        // The reader failed on this chunk later in its body, or has it whole.
        if (current_->index == ref_.size())
            FUZZ_CHECK(ref_ec_);
        else
            FUZZ_CHECK(ref_[current_->index].data.size() > *c_.small_body_limit);
    }

    void end_chunk() {
        current_.reset();
        ++done_;
        FUZZ_CHECK(demux_.between_chunks());
    }

    const config& c_;
    std::string_view stream_;
    chunk_demux demux_;
    std::uint32_t random_;
    std::vector<msrp::Chunk> ref_;
    std::error_code ref_ec_;
    std::vector<session> sessions_;
    fuzz_router routes_;
    chunk_demux::reader who_;
    std::string pending_;
    std::size_t begin_ = 0;
    std::size_t last_piece_ = 0;
    std::uint64_t steps_ = 0;
    std::optional<expectation> current_;
    std::size_t heads_ = 0, done_ = 0;
    bool failed_ = false;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::uint8_t prefix[config_bytes] = {};
    std::copy(data, data + std::min(size, config_bytes), prefix);
    const config c = decode_config(prefix);
    const std::string_view stream = size > config_bytes
                                        ? std::string_view(reinterpret_cast<const char*>(data) + config_bytes,
                                                           size - config_bytes)
                                        : std::string_view();
    fuzz_run run(c, stream);
    run.run();
    return 0;
}
