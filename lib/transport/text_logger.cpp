// The text traffic log: MSRP traces as people read them, one block per chunk.
// No Asio here: transports call in with what they saw.

#include <msrp/transport/traffic_log.hpp>

#include "log_format.hpp"

#include "../detail/text_checks.hpp"

#include <algorithm>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace msrp {
namespace {

using namespace detail;
constexpr auto npos = std::string_view::npos;

// ---------------------------------------------------------------------------
// Text

enum class newlines : std::uint8_t { keep, escape };

// Appends `s` so that the log holds no control character but '\n': a peer's
// bytes must not move the cursor of the terminal showing the log, nor fake
// log lines. With `keep`, CRLF and LF end a line; every other control
// character, DEL, the C1 controls (U+0080..U+009F, which some terminals
// obey) and invalid UTF-8 octets are escaped. Backslashes are not doubled:
// this is for reading; the JSON log is the exact record.
void append_readable(std::string& out, std::string_view s, newlines nl) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        if (c >= 0x80) {
            const auto n = utf8_sequence_length(s.substr(i));
            if (n != 0 && n != npos) {
                const auto next = static_cast<unsigned char>(s[i + 1]);
                if (c == 0xc2 && next < 0xa0) {
                    out += "\\u00";
                    append_hex_octet(out, next);
                } else {
                    out.append(s.substr(i, n));
                }
                i += n;
                continue;
            }
        } else if (nl == newlines::keep && c == '\n') {
            out += '\n';
            ++i;
            continue;
        } else if (nl == newlines::keep && c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
            out += '\n';
            i += 2;
            continue;
        }
        if (c == '\t')
            out += "\\t";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\n')
            out += "\\n";
        else {
            out += "\\x";
            append_hex_octet(out, c);
        }
        ++i;
    }
}

// How much of a body's shown prefix reads as text: all of it when it is
// valid UTF-8 without NUL (no text format uses NUL; binary formats are full
// of it), less a sequence cut by the display limit when `cut`; npos when it
// is binary.
std::size_t text_prefix_length(std::string_view body, bool cut) noexcept {
    for (std::size_t i = 0; i < body.size();) {
        if (body[i] == '\0')
            return npos;
        const auto n = utf8_length_at(body, i);
        if (n == 0)
            return npos;
        if (n == npos)
            return cut ? i : npos;
        i += n;
    }
    return body.size();
}

// A head line longer than what is left of the display budget is cut, but
// at least this much of it is kept to recognise an end-line.
constexpr std::size_t end_line_fixed_octets = 16;

// RFC 4975's transact-id is 4..32 characters; a start line naming a longer
// one is malformed, and its "end-line" is not looked for (the block then
// ends at the next chunk or the close).
constexpr std::size_t max_tid_bytes = 255;

// The most head octets one block shows (parser_limits::max_header_block_bytes):
// a peer cannot make the logger buffer without bound.
constexpr std::size_t max_head_bytes = 64 * 1024;

// The chunk being received in one direction of one connection.
struct chunk_block {
    enum class part : std::uint8_t {
        start_line,
        headers,
        body,
        unknown, // bytes of a chunk whose start line was not logged
        ended,
    };
    part at = part::start_line;
    std::uint64_t seq = 0;          // blocks print in the order they started
    std::string text;               // the block as it will be printed
    std::string tid;                // from the start line: names the end-line
    std::string line;               // the head line being received, possibly cut
    std::size_t line_octets = 0;    // all octets of that line so far, LF excluded
    bool line_ends_cr = false;
    std::size_t head_octets_not_shown = 0;
    std::string body;               // the first `max_body_bytes` octets of the body
    std::uint64_t body_octets = 0;  // all of the body so far
    std::string tail;               // last octets, maybe the start of CRLF end-line
    bool has_body_part = false;     // the empty line was seen (or the start was not)
    std::string end_line;           // as seen, CRLF excluded
    std::size_t octets_after_end = 0;
};

class text_logger final : public Logger {
public:
    text_logger(std::ostream& out, std::size_t max_body_bytes) : out_(out), max_body_bytes_(max_body_bytes) {}

    text_logger(const text_logger&) = delete;
    text_logger& operator=(const text_logger&) = delete;

    ~text_logger() override {
        // Blocks still open were cut short by the logger's end; printing them
        // beats losing them. A destructor must not throw.
        try {
            std::vector<chunk_block*> open;
            for (auto& [key, block] : blocks_)
                open.push_back(&block);
            std::sort(open.begin(), open.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
            for (auto* block : open)
                finish(*block);
        } catch (...) {
        }
    }

    void on_state(const connection_event& event) override {
        const auto& c = event.connection;
        if (event.state == connection_state::closed) {
            // What was in flight came before the close: print it first, in
            // the order it started.
            auto out_it = blocks_.find({c.id, traffic_direction::out});
            auto in_it = blocks_.find({c.id, traffic_direction::in});
            if (out_it != blocks_.end() && in_it != blocks_.end() && in_it->second.seq < out_it->second.seq)
                std::swap(out_it, in_it);
            for (auto it : {out_it, in_it}) {
                if (it != blocks_.end()) {
                    finish(it->second);
                    blocks_.erase(it);
                }
            }
        }
        std::string line;
        append_utc_time(line, false);
        line += " --- #";
        line += std::to_string(c.id);
        line += ' ';
        line += state_name(event.state);
        line += ' ';
        append_endpoints(line, c, traffic_direction::out);
        if (event.ec) {
            line += " error: ";
            append_readable(line, event.ec.message(), newlines::escape);
            line += " [";
            append_readable(line, event.ec.category().name(), newlines::escape);
            line += ' ';
            line += std::to_string(event.ec.value());
            line += ']';
        }
        if (!event.detail.empty()) {
            line += " detail: ";
            append_readable(line, event.detail, newlines::escape);
        }
        if (!event.peer_fingerprint.empty()) {
            line += " fingerprint: ";
            append_readable(line, event.peer_fingerprint, newlines::escape);
        }
        line += '\n';
        write(line);
    }

    void on_data(traffic_direction direction, const connection_info& connection, std::string_view bytes,
                 bool starts_chunk) override {
        const stream_key key{connection.id, direction};
        auto it = blocks_.find(key);
        if (starts_chunk && it != blocks_.end()) {
            // The previous chunk never showed an end-line we recognised.
            finish(it->second);
            blocks_.erase(it);
            it = blocks_.end();
        }
        if (it == blocks_.end()) {
            it = blocks_.emplace(key, chunk_block{}).first;
            start(it->second, direction, connection, starts_chunk);
        }
        auto& block = it->second;
        feed(block, bytes);
        if (block.at == chunk_block::part::ended) {
            finish(block);
            blocks_.erase(it);
        }
    }

private:
    using stream_key = std::pair<std::uint64_t, traffic_direction>;

    // "127.0.0.1:50000 -> 127.0.0.1:2855 (tls)": local first, the arrow
    // shows which way the bytes went.
    static void append_endpoints(std::string& out, const connection_info& c, traffic_direction direction) {
        append_readable(out, c.local.empty() ? std::string_view{"?"} : std::string_view{c.local}, newlines::escape);
        out += direction == traffic_direction::out ? " -> " : " <- ";
        append_readable(out, c.remote.empty() ? std::string_view{"?"} : std::string_view{c.remote}, newlines::escape);
        out += c.tls ? " (tls)" : " (tcp)";
    }

    void start(chunk_block& block, traffic_direction direction, const connection_info& c, bool starts_chunk) {
        block.seq = next_seq_++;
        append_utc_time(block.text, false);
        block.text += direction == traffic_direction::out ? " >>> #" : " <<< #";
        block.text += std::to_string(c.id);
        block.text += ' ';
        append_endpoints(block.text, c, direction);
        if (!starts_chunk) {
            block.text += " [continues a chunk whose start was not logged]";
            block.at = chunk_block::part::unknown;
            block.has_body_part = true;
        }
        block.text += '\n';
    }

    void feed(chunk_block& block, std::string_view bytes) {
        using part = chunk_block::part;
        while (!bytes.empty() && (block.at == part::start_line || block.at == part::headers)) {
            const auto lf = bytes.find('\n');
            take_line_octets(block, bytes.substr(0, lf));
            if (lf == npos)
                return;
            bytes.remove_prefix(lf + 1);
            end_head_line(block);
        }
        switch (block.at) {
        case part::body:
            feed_body(block, bytes);
            break;
        case part::unknown:
            keep_body(block, bytes);
            break;
        case part::ended:
            // A call never spans two chunks (Logger's contract); if one does,
            // say so rather than drop the octets silently.
            block.octets_after_end += bytes.size();
            break;
        default:
            break;
        }
    }

    void take_line_octets(chunk_block& block, std::string_view piece) {
        if (piece.empty())
            return;
        const std::size_t budget = block.text.size() < max_head_bytes ? max_head_bytes - block.text.size() : 0;
        const std::size_t keep = std::max(budget, block.tid.size() + end_line_fixed_octets);
        if (block.line.size() < keep)
            block.line.append(piece.substr(0, keep - block.line.size()));
        block.line_octets += piece.size();
        block.line_ends_cr = piece.back() == '\r';
    }

    // "-------" transact-id continuation-flag (RFC 4975 §7.1), CRLF removed.
    static bool is_end_line(std::string_view line, std::string_view tid) noexcept {
        return !tid.empty() && line.size() == tid.size() + 8 && line.substr(0, 7) == "-------" &&
               line.substr(7, tid.size()) == tid && std::string_view{"$+#"}.find(line.back()) != npos;
    }

    void end_head_line(chunk_block& block) {
        using part = chunk_block::part;
        // RFC 4975 lines end in CRLF; a bare LF is shown as a line end too.
        const std::size_t octets = block.line_octets - (block.line_ends_cr ? 1 : 0);
        std::string_view content{block.line};
        content = content.substr(0, std::min(octets, content.size()));
        if (block.at == part::start_line) {
            // MSRP SP transact-id SP (method / status-code)
            const auto sp1 = content.find(' ');
            if (sp1 != npos) {
                const auto tid = content.substr(sp1 + 1, content.find(' ', sp1 + 1) - (sp1 + 1));
                if (tid.size() <= max_tid_bytes)
                    block.tid = tid;
            }
            block.at = part::headers;
            show_head_line(block, content, octets);
        } else if (octets == 0) {
            show_head_notes(block);
            block.text += '\n';
            block.at = part::body;
            block.has_body_part = true;
        } else if (content.size() == octets && is_end_line(content, block.tid)) {
            show_head_notes(block);
            block.end_line = content;
            block.at = part::ended;
        } else {
            show_head_line(block, content, octets);
        }
        block.line.clear();
        block.line_octets = 0;
        block.line_ends_cr = false;
    }

    static void show_head_line(chunk_block& block, std::string_view content, std::size_t octets) {
        if (block.text.size() >= max_head_bytes) {
            block.head_octets_not_shown += octets;
            return;
        }
        append_readable(block.text, content, newlines::escape);
        if (content.size() < octets)
            note_not_shown(block.text, octets - content.size(), " ");
        block.text += '\n';
    }

    static void show_head_notes(chunk_block& block) {
        if (block.head_octets_not_shown > 0) {
            note_not_shown(block.text, block.head_octets_not_shown, "");
            block.text += '\n';
            block.head_octets_not_shown = 0;
        }
    }

    static void note_not_shown(std::string& out, std::uint64_t octets, std::string_view before) {
        out += before;
        out += "[... ";
        out += std::to_string(octets);
        out += " octets not shown ...]";
    }

    // RFC 4975 §9: content-stuff ends in "data CRLF", then the end-line
    // "-------" transact-id flag CRLF. A call never spans two chunks, so the
    // closing sequence can only end a call; until one does, the last octets
    // are held back in case they begin it.
    void feed_body(chunk_block& block, std::string_view data) {
        if (block.tid.empty()) {
            keep_body(block, data);
            return;
        }
        const std::string_view held{block.tail};
        const std::size_t closing = block.tid.size() + 12; // CRLF "-------" tid flag CRLF
        const std::size_t total = held.size() + data.size();
        const auto octet = [&](std::size_t i) { return i < held.size() ? held[i] : data[i - held.size()]; };
        const auto keep_first = [&](std::size_t n) {
            keep_body(block, held.substr(0, std::min(n, held.size())));
            if (n > held.size())
                keep_body(block, data.substr(0, n - held.size()));
        };
        if (total >= closing && closes_body(octet, total - closing, block.tid)) {
            keep_first(total - closing);
            block.end_line = "-------" + block.tid + octet(total - 3);
            block.tail.clear();
            block.at = chunk_block::part::ended;
            return;
        }
        const std::size_t hold = std::min(total, closing - 1);
        std::string tail;
        for (std::size_t i = total - hold; i < total; ++i)
            tail += octet(i);
        keep_first(total - hold);
        block.tail = std::move(tail);
    }

    template <class Octet>
    static bool closes_body(const Octet& octet, std::size_t from, std::string_view tid) {
        constexpr std::string_view crlf_dashes = "\r\n-------";
        for (std::size_t i = 0; i < crlf_dashes.size(); ++i)
            if (octet(from + i) != crlf_dashes[i])
                return false;
        from += crlf_dashes.size();
        for (std::size_t i = 0; i < tid.size(); ++i)
            if (octet(from + i) != tid[i])
                return false;
        from += tid.size();
        const char flag = octet(from);
        return (flag == '$' || flag == '+' || flag == '#') && octet(from + 1) == '\r' && octet(from + 2) == '\n';
    }

    void keep_body(chunk_block& block, std::string_view piece) {
        block.body_octets += piece.size();
        if (block.body.size() < max_body_bytes_)
            block.body.append(piece.substr(0, max_body_bytes_ - block.body.size()));
    }

    void show_body(chunk_block& block, bool closed_by_end_line) {
        std::uint64_t not_shown = block.body_octets - block.body.size();
        const auto shown = text_prefix_length(block.body, not_shown > 0);
        if (shown == npos) {
            block.text += "[binary, ";
            block.text += std::to_string(block.body_octets);
            block.text += " octets]\n";
            return;
        }
        not_shown += block.body.size() - shown;
        append_readable(block.text, std::string_view{block.body}.substr(0, shown), newlines::keep);
        if (not_shown > 0) {
            if (shown > 0 && block.text.back() != '\n')
                block.text += '\n';
            note_not_shown(block.text, not_shown, "");
            block.text += '\n';
        } else if (closed_by_end_line) {
            // The CRLF that ends "data CRLF" on the wire.
            block.text += '\n';
        } else if (shown > 0 && block.text.back() != '\n') {
            block.text += '\n';
        }
    }

    // Completes the block's text and prints it.
    void finish(chunk_block& block) {
        using part = chunk_block::part;
        const bool ended = block.at == part::ended;
        if (block.at == part::start_line || block.at == part::headers) {
            if (block.line_octets > 0) {
                std::string_view content{block.line};
                content = content.substr(0, std::min(block.line_octets, content.size()));
                show_head_line(block, content, block.line_octets);
            }
            show_head_notes(block);
        }
        if (!block.tail.empty()) {
            keep_body(block, block.tail);
            block.tail.clear();
        }
        if (block.has_body_part)
            show_body(block, ended);
        if (ended) {
            append_readable(block.text, block.end_line, newlines::escape);
            block.text += '\n';
        } else {
            block.text += "[chunk incomplete: no end-line seen]\n";
        }
        if (block.octets_after_end > 0) {
            block.text += "[";
            block.text += std::to_string(block.octets_after_end);
            block.text += " octets after the end-line in the same call]\n";
        }
        write(block.text);
    }

    void write(const std::string& s) { out_.write(s.data(), static_cast<std::streamsize>(s.size())); }

    std::ostream& out_;
    std::size_t max_body_bytes_;
    std::uint64_t next_seq_ = 0;
    std::map<stream_key, chunk_block> blocks_;
};

} // namespace

std::shared_ptr<Logger> make_text_logger(std::ostream& out, std::size_t max_body_bytes) {
    return std::make_shared<text_logger>(out, max_body_bytes);
}

} // namespace msrp
