#pragma once
// A scripted driver for the sans-IO session core: a fake clock, chunks in
// as wire bytes, the bytes of every write out chunk by chunk, and bodies
// from scripted sources. No sockets, no Asio, no test framework: the step
// tests and the fuzz target share it.

#include "../../lib/session/core/session_core.hpp"

#include <msrp/protocol/chunk_reader.hpp>
#include <msrp/protocol/chunk_serializer.hpp>
#include <msrp/protocol/error.hpp>
#include <msrp/protocol/incoming_chunk.hpp>
#include <msrp/protocol/make_chunk.hpp>
#include <msrp/protocol/path.hpp>
#include <msrp/protocol/uri.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace msrp::test {

/// The error a local timeout reports, as the driver gives it.
inline std::error_code core_timed_out() { return std::make_error_code(std::errc::timed_out); }

class core_driver {
public:
    using time_point = detail::session_core::time_point;

    /// A message given to the core, and every report it heard.
    struct sent_message {
        std::string id;
        std::vector<message_report> reports; ///< their `chunk` pointers are not kept: see `sources`
        /// A copy of the chunk each report came from (none when made up).
        std::vector<std::optional<Chunk>> sources;
        int finals() const {
            int n = 0;
            for (const auto& r : reports)
                n += r.final ? 1 : 0;
            return n;
        }
        const message_report* final_report() const {
            for (const auto& r : reports)
                if (r.final)
                    return &r;
            return nullptr;
        }
        /// The chunk the final report came from.
        const std::optional<Chunk>* final_source() const {
            for (std::size_t i = 0; i < reports.size(); ++i)
                if (reports[i].final)
                    return &sources[i];
            return nullptr;
        }
    };
    /// A chunk given to the core, and every verdict it heard.
    struct sent_chunk {
        std::string transaction_id;
        bool refused = false; ///< queue_chunk said no: no verdict is owed
        std::vector<Chunk> verdicts;
    };

    /// A message whose body a scripted source gives: `body` in reads of at
    /// most `piece` bytes; `fail_at_read` fails that read (0: none).
    struct scripted_source final : detail::outgoing_message {
        std::string source_body;
        std::size_t offset = 0;
        std::size_t piece = SIZE_MAX;
        int reads = 0;
        int fail_at_read = 0;
    };

    static URI local_uri() { return URI::parse("msrp://alice.example:2855/local-session;tcp"); }
    static URI remote_uri() { return URI::parse("msrp://bob.example:2855/remote-session;tcp"); }

    explicit core_driver(session_options options = {})
        : now(std::chrono::steady_clock::time_point{} + std::chrono::hours(1)),
          core(std::move(options), local_uri(), Path{remote_uri()}, core_timed_out(), now) {}

    time_point now;
    detail::session_core core;
    std::vector<std::unique_ptr<sent_message>> messages;
    std::vector<std::unique_ptr<sent_chunk>> chunks;
    std::vector<IncomingMessage> incoming;
    /// Every chunk written, parsed back, in wire order.
    std::vector<Chunk> written;
    /// The bytes of every chunk written, as the transport got them.
    std::vector<std::string> written_bytes;
    /// Writes fail from this one on (counted from 1; 0: never).
    int fail_write_at = 0;
    int writes = 0;

    // ---- the application's side ----

    /// Queues a message with a body in memory; returns its record (id empty when refused).
    sent_message& send(std::string body, std::error_code& ec, std::function<void(detail::outgoing_message&)> edit = {}) {
        auto m = std::make_shared<detail::outgoing_message>();
        m->data = std::move(body);
        return queue(std::move(m), ec, std::move(edit));
    }
    sent_message& send(std::string body, std::function<void(detail::outgoing_message&)> edit = {}) {
        std::error_code ec;
        auto& r = send(std::move(body), ec, std::move(edit));
        if (ec)
            throw std::system_error(ec, "core_driver::send");
        return r;
    }
    /// Queues a message read from a scripted source (id empty when refused).
    sent_message& send_from_source(std::string body, std::size_t piece, std::optional<std::uint64_t> size,
                                   int fail_at_read = 0, std::function<void(detail::outgoing_message&)> edit = {}) {
        auto m = std::make_shared<scripted_source>();
        m->from_source = true;
        m->source_body = std::move(body);
        m->piece = piece;
        m->size = size;
        m->fail_at_read = fail_at_read;
        std::error_code ec;
        return queue(std::move(m), ec, std::move(edit));
    }
    sent_chunk& send_chunk(Chunk c, std::error_code& ec) {
        chunks.push_back(std::make_unique<sent_chunk>());
        auto* record = chunks.back().get();
        record->transaction_id = c.transaction_id;
        ec = core.queue_chunk(std::move(c), [record](const Chunk& v) { record->verdicts.push_back(v); });
        record->refused = static_cast<bool>(ec);
        return *record;
    }
    /// A chunk from this side to the peer, as the application makes one.
    static Chunk make(const make_chunk_params& p = {}) { return make_chunk(Path{remote_uri()}, Path{local_uri()}, p); }

    // ---- the network's side ----

    /// Fills and writes one batch (sources read on the way); false when
    /// there was nothing to write.
    bool write_once() {
        auto step = core.fill(now);
        while (step.read_source) {
            auto& m = static_cast<scripted_source&>(*step.read_source);
            std::error_code ec;
            std::size_t n = 0;
            if (++m.reads == m.fail_at_read) {
                ec = make_error_code(std::errc::io_error);
            } else {
                n = std::min({step.buffer.size(), m.piece, m.source_body.size() - m.offset});
                std::copy_n(m.source_body.data() + m.offset, n, step.buffer.data());
                m.offset += n;
            }
            core.on_source_read(n, ec, now);
            step = core.fill(now);
        }
        auto& batch = core.batch();
        if (batch.empty())
            return false;
        batch.make_views();
        ++writes;
        const bool fails = fail_write_at > 0 && writes >= fail_write_at;
        if (!fails) {
            std::size_t piece = 0;
            for (const auto end : batch.chunk_ends()) {
                std::string bytes;
                for (; piece < end; ++piece)
                    bytes += batch.pieces()[piece];
                Chunk c;
                if (const auto ec = parse_chunk(bytes, c))
                    throw std::system_error(ec, "core_driver: a chunk written does not parse: " + bytes);
                written_bytes.push_back(std::move(bytes));
                written.push_back(std::move(c));
            }
        }
        core.on_written(fails ? make_error_code(std::errc::connection_reset) : std::error_code{}, now);
        return true;
    }
    /// Writes until nothing is left to write (at most `limit` writes).
    int write_all(int limit = 10000) {
        int n = 0;
        while (n < limit && write_once())
            ++n;
        return n;
    }

    /// A chunk read from the peer (any number of chunks in `wire`).
    void read(std::string_view wire) {
        chunk_reader reader;
        if (const auto ec = reader.feed(wire))
            throw std::system_error(ec, "core_driver::read");
        while (auto c = reader.next()) {
            IncomingChunk in;
            static_cast<Chunk&>(in) = std::move(*c);
            read(in);
        }
    }
    void read(IncomingChunk& in) { core.on_chunk(in, now, incoming); }
    void read(const Chunk& c) {
        IncomingChunk in;
        static_cast<Chunk&>(in) = c;
        read(in);
    }

    /// The peer's answer to a request this side wrote.
    static Chunk response_to(const Chunk& request, int code) {
        return make_response(request, code, remote_uri());
    }
    /// A request from the peer: a SEND of `body` (params filled with the paths).
    static Chunk peer_send(make_chunk_params p) {
        return make_chunk(Path{local_uri()}, Path{remote_uri()}, p);
    }
    /// The peer's REPORT on a message this side sent.
    static Chunk peer_report(std::string_view message_id, int code, ByteRange range) {
        make_chunk_params p;
        p.method = "REPORT";
        p.message_id = std::string(message_id);
        auto r = make_chunk(Path{local_uri()}, Path{remote_uri()}, p);
        r.set_byte_range(range);
        r.set_header("Status", "000 " + std::to_string(code) + " " + status_comment(code));
        return r;
    }

    /// Answers every request written since `from` with `code` (REPORTs excepted).
    void answer_all(std::size_t from, int code) {
        for (std::size_t i = from; i < written.size(); ++i)
            if (written[i].is_request() && written[i].method != "REPORT")
                read(response_to(written[i], code));
    }

    /// Moves the clock on and lets the core's deadlines pass.
    void advance(std::chrono::milliseconds d) {
        now += d;
        core.on_timer(now);
    }

    /// Runs the clock on until no deadline is left (bounded).
    void run_out_deadlines(int limit = 1000) {
        for (int i = 0; i < limit && !core.ended(); ++i) {
            const auto next = core.next_deadline();
            if (next == time_point::max())
                return;
            now = std::max(now, next);
            core.on_timer(now);
            write_all();
        }
    }

    /// The invariants session.hpp promises, once the session ended:
    /// every message exactly one final report, every chunk exactly one
    /// verdict, the queue's account back at zero. Empty when they hold.
    std::string broken_promises() const {
        std::string why;
        for (const auto& m : messages)
            if (!m->id.empty() && m->finals() != 1)
                why += "message " + m->id + ": " + std::to_string(m->finals()) + " final reports; ";
        for (const auto& c : chunks)
            if (!c->refused && c->verdicts.size() != 1)
                why += "chunk " + c->transaction_id + ": " + std::to_string(c->verdicts.size()) + " verdicts; ";
        if (core.ended() && core.queued_bytes() != 0)
            why += "queued_bytes " + std::to_string(core.queued_bytes()) + " at the end; ";
        if (core.ended() && core.unfinished_messages() != 0)
            why += std::to_string(core.unfinished_messages()) + " unfinished messages at the end; ";
        return why;
    }

private:
    sent_message& queue(std::shared_ptr<detail::outgoing_message> m, std::error_code& ec,
                        std::function<void(detail::outgoing_message&)> edit) {
        messages.push_back(std::make_unique<sent_message>());
        auto* record = messages.back().get();
        m->on_report = [record](const message_report& r) {
            record->reports.push_back(r);
            record->reports.back().chunk = nullptr; // valid during the call only
            record->sources.push_back(r.chunk ? std::optional<Chunk>(*r.chunk) : std::nullopt);
        };
        if (edit)
            edit(*m);
        record->id = core.queue_message(std::move(m), ec);
        return *record;
    }
};

} // namespace msrp::test
