// libFuzzer target: message reassembly never delivers a byte twice, never
// beyond a message's end, and keeps its bounds, whatever chunks arrive.
//
// The input is a script of chunk events, 8 bytes each: which of 4 messages,
// where the chunk starts, how long it is, how the Byte-Range states its end
// and total, and its continuation flag. Each message has a fixed content
// (a byte pattern of its position), so every delivered byte can be checked
// against where its Byte-Range puts it.

#include <msrp/protocol/message_assembler.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.hpp"

namespace {

constexpr std::uint64_t unknown = msrp::ByteRange::unknown;

char content_at(int message, std::uint64_t position) { return char('a' + (message * 7 + position) % 26); }

struct seen_message {
    msrp::range_set delivered;
    bool ended = false;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    msrp::assembler_limits limits;
    limits.max_message_bytes = 4000;
    limits.max_whole_message_bytes = data && size > 0 && (data[0] & 1) ? 64 : 2000;
    limits.max_messages_in_progress = 3;
    limits.remembered_message_ids = 2;
    msrp::message_assembler assembler(limits);
    std::array<seen_message, 4> seen;
    std::vector<msrp::IncomingMessage> out;

    auto check_output = [&](bool finishing) {
        for (const auto& m : out) {
            const auto id = m.message_id().value_or("");
            FUZZ_CHECK(id.size() == 5 && id.compare(0, 4, "msg-") == 0);
            const int which = id[4] - '0';
            FUZZ_CHECK(which >= 0 && which < 4);
            auto& s = seen[which];
            if (m.contflag == msrp::contflag::aborted) {
                FUZZ_CHECK(m.failure);
                FUZZ_CHECK(m.data.empty());
                s = seen_message{}; // the id may start again later
                continue;
            }
            FUZZ_CHECK(!finishing);
            FUZZ_CHECK(!m.failure);
            const auto r = m.byte_range();
            FUZZ_CHECK(r.has_value());
            FUZZ_CHECK(r->start >= 1);
            FUZZ_CHECK(m.data.size() == (r->end + 1 - r->start));
            FUZZ_CHECK(r->total == unknown || r->end <= r->total);
            for (std::size_t i = 0; i < m.data.size(); ++i)
                FUZZ_CHECK(m.data[i] == content_at(which, r->start + i));
            // Never a byte twice while the message is in progress.
            if (!m.data.empty())
                FUZZ_CHECK(s.delivered.insert(r->start, r->end).size() == 1);
            if (m.contflag == msrp::contflag::complete) {
                FUZZ_CHECK(r->total != unknown);
                FUZZ_CHECK(s.delivered.covers(1, r->total));
                FUZZ_CHECK(s.delivered.covered_bytes() == r->total);
                s = seen_message{};
            }
        }
        out.clear();
    };

    for (std::size_t at = 1; at + 8 <= size; at += 8) {
        const std::uint8_t* e = data + at;
        const int which = e[0] % 4;
        const std::uint64_t start = 1 + ((e[1] | (e[2] << 8)) % 4096);
        const std::size_t length = (e[3] | (e[4] << 8)) % 1500;
        const std::uint64_t total = (e[5] & 3) == 0 ? unknown : ((e[5] >> 2) * 97) % 4200;
        const char flags[] = {msrp::contflag::more, msrp::contflag::complete, msrp::contflag::aborted,
                              msrp::contflag::more};
        msrp::Chunk c;
        c.method = "SEND";
        c.transaction_id = "fuzztid1";
        c.set_message_id(std::string("msg-") + char('0' + which));
        const std::uint64_t end = (e[6] & 1) ? unknown : start + length - 1;
        if (!(e[6] & 2))
            c.set_byte_range(msrp::ByteRange{start, end, total});
        c.contflag = flags[e[7] % 4];
        c.has_body = true;
        c.set_content_type("text/plain");
        const std::uint64_t first = (e[6] & 2) ? 1 : start;
        c.data.resize(length);
        for (std::size_t i = 0; i < length; ++i)
            c.data[i] = content_at(which, first + i);
        (void)assembler.add(std::move(c), out);
        check_output(false);
        FUZZ_CHECK(assembler.messages_in_progress() <= limits.max_messages_in_progress);
        FUZZ_CHECK(assembler.buffered_bytes() <= limits.max_messages_in_progress * limits.max_whole_message_bytes);
        if (e[0] & 0x80) {
            const auto id = std::string("msg-") + char('0' + which);
            if (assembler.stop(id))
                seen[which] = seen_message{};
        }
    }
    assembler.finish(out);
    check_output(true);
    FUZZ_CHECK(assembler.messages_in_progress() == 0);
    FUZZ_CHECK(assembler.buffered_bytes() == 0);
    return 0;
}
