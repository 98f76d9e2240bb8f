// libFuzzer target: the sans-IO session core under random sequences of
// application calls, writes (some failing), responses, REPORTs, incoming
// requests and clock steps, with and without a send window, a REPORT
// window and progress REPORTs.
//
// The input is a list of 3-byte operations (see `step`). The invariants
// are the promises of session.hpp: a message gets at most one final report
// at any time and exactly one by the end; a chunk given whole gets exactly
// one verdict; every chunk the core writes parses and is what `serialize`
// writes for it; the send queue's account is back at zero at the end and
// never exceeds what was charged; nothing is left unfinished. A deadline
// never lies in the past after `on_timer` (the driver would spin).

#include "../test/support/core_driver.hpp"

#include <msrp/protocol/chunk_serializer.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"

namespace {

using msrp::ByteRange;
using msrp::test::core_driver;

constexpr int codes[] = {200, 200, 200, 400, 403, 408, 413, 415, 481, 501};

struct state {
    core_driver d;
    std::size_t answered = 0; ///< written chunks looked at for answering
    std::size_t checked = 0;  ///< written chunks compared with serialize()

    explicit state(msrp::session_options o) : d(std::move(o)) {}

    void check_running() {
        for (const auto& m : d.messages)
            FUZZ_CHECK(m->finals() <= 1);
        for (const auto& c : d.chunks)
            FUZZ_CHECK(c->verdicts.size() <= 1);
        for (; checked < d.written.size(); ++checked)
            FUZZ_CHECK(msrp::to_wire(d.written[checked]) == d.written_bytes[checked]);
    }

    void step(std::uint8_t op, std::uint8_t a, std::uint8_t b) {
        std::error_code ec;
        switch (op % 16) {
        case 0: { // a message in memory
            const std::size_t size = static_cast<std::size_t>(a) * (b % 4 == 0 ? 37 : 1);
            d.send(std::string(size, static_cast<char>('a' + b % 26)), ec, [a, b](auto& m) {
                if (b & 0x10)
                    m.success_report_field = "yes";
                if (b & 0x20)
                    m.failure_report_field = (b & 0x40) ? "partial" : "no";
                if (b & 0x80)
                    m.chunk_size = a % 32; // 0 is refused
            });
            break;
        }
        case 1: { // a message from a source, its size right, wrong or unknown
            const std::size_t size = static_cast<std::size_t>(a) * 3;
            std::optional<std::uint64_t> announced;
            if (b & 1)
                announced = size + (b & 2 ? 5 : 0);
            d.send_from_source(std::string(size, 's'), 1 + b % 50, announced, (b >> 4) % 4);
            break;
        }
        case 2: { // a chunk given whole
            // Chunks the peer's parser takes (the core checks only that
            // they can be written): a REPORT has a Status and no
            // Failure-Report.
            msrp::make_chunk_params p;
            p.data = std::string(a % 40, 'c');
            if (b & 1) {
                p.method = "REPORT";
                p.data.clear();
            }
            auto c = core_driver::make(p);
            if (b & 1)
                c.set_header("Status", "000 200 OK");
            else if (b & 2)
                c.set_header("Failure-Report", b & 4 ? "partial" : "no");
            d.send_chunk(std::move(c), ec);
            break;
        }
        case 3:
        case 4: // writes, the next one failing now and then
            if (a == 255 && b == 255)
                d.fail_write_at = d.writes + 1;
            d.write_once();
            break;
        case 5:
        case 6: { // the peer answers written requests
            for (int n = 0; n < 1 + a % 8 && answered < d.written.size(); ++answered) {
                const auto& c = d.written[answered];
                if (!c.is_request() || c.method == "REPORT" || (b & 0x80))
                    continue;
                d.read(core_driver::response_to(c, codes[(b + n) % 10]));
                ++n;
            }
            break;
        }
        case 7: { // a REPORT on a message sent
            if (d.messages.empty())
                break;
            const auto& m = d.messages[a % d.messages.size()];
            if (m->id.empty())
                break;
            const std::uint64_t start = 1 + b % 8;
            const std::uint64_t end = start + b % 64;
            d.read(core_driver::peer_report(m->id, codes[b % 10], ByteRange{start, end, ByteRange::unknown}));
            break;
        }
        case 8: { // a SEND from the peer, maybe part of a larger message
            msrp::make_chunk_params p;
            p.message_id = "peer-" + std::to_string(a % 4);
            p.data = std::string(1 + b % 30, 'p');
            p.start = 1 + (a >> 2) % 3 * 30;
            p.length = 90;
            auto c = core_driver::peer_send(p);
            if (b & 0x80)
                c.set_header("Success-Report", "yes");
            if (b & 0x40)
                c.set_header("Failure-Report", "partial");
            d.read(c);
            break;
        }
        case 9:
        case 10: { // time passes
            d.advance(std::chrono::milliseconds(a * (b % 8 + 1)));
            FUZZ_CHECK(d.core.ended() || d.core.next_deadline() > d.now);
            break;
        }
        case 11:
            if (!d.messages.empty())
                d.core.abort_message(d.messages[a % d.messages.size()]->id);
            break;
        case 12:
            d.core.stop_receiving("peer-" + std::to_string(a % 4));
            break;
        case 13:
            d.core.on_read_wait();
            break;
        case 14:
            if (a == 0)
                d.core.begin_shutdown();
            d.core.next_shutdown_step();
            break;
        case 15:
            if (a == 255 && b == 255)
                d.core.end(make_error_code(std::errc::connection_reset));
            break;
        }
        check_running();
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2)
        return 0;
    msrp::session_options o;
    o.chunk_size = 1 + data[0] % 64;
    o.max_interleaved_messages = data[1] % 4;
    o.max_queued_bytes = 2048 + 512 * (data[0] >> 4);
    o.max_write_batch_bytes = 1 + 64 * (data[1] >> 2);
    o.response_timeout = std::chrono::milliseconds(100 + data[1]);
    if (data[1] & 0x80)
        o.keepalive_interval = std::chrono::milliseconds(50 + data[0]);
    if (data[1] & 0x40) { // a small send window
        o.max_requests_in_flight = 1 + data[0] % 8;
        o.max_bytes_in_flight = 64 * (1 + data[1] % 16);
    }
    if (data[0] & 0x40) // a REPORT window
        o.max_unreported_bytes = 16 * (data[1] % 16);
    if (data[0] & 0x80) // progress REPORTs for the peer's messages
        o.progress_report_bytes = data[1] % 32;
    state s(o);
    for (std::size_t i = 2; i + 3 <= size; i += 3)
        s.step(data[i], data[i + 1], data[i + 2]);
    // The end: whatever is left gets its outcome.
    s.d.write_all(100);
    s.d.core.end(make_error_code(msrp::errc::session_closed));
    s.check_running();
    const std::string broken = s.d.broken_promises();
    if (!broken.empty())
        std::fprintf(stderr, "%s\n", broken.c_str());
    FUZZ_CHECK(broken.empty());
    FUZZ_CHECK(s.d.core.queued_bytes() == 0);
    FUZZ_CHECK(s.d.core.bytes_in_flight() == 0);
    return 0;
}
