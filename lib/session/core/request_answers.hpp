#pragma once
// The receiver's rules: how a session answers the requests it reads (RFC
// 4975 §7.2, §7.3): 481 for a request that is not for this session, 415
// for a content type it does not take, 501 for a method it does not know,
// 200 and nothing delivered for an empty SEND (a keep-alive), reassembly
// of the rest, and a success REPORT for a whole message that asks for one
// (and, when `session_options::progress_report_bytes` says so, for the
// bytes of it received so far).
// Internal header of the session core (no Asio).

#include "reply_queue.hpp"

#include <msrp/detail/ident_map.hpp>
#include <msrp/protocol/byte_range.hpp>
#include <msrp/protocol/incoming_chunk.hpp>
#include <msrp/protocol/message_assembler.hpp>
#include <msrp/protocol/path.hpp>
#include <msrp/protocol/uri.hpp>
#include <msrp/session/session_options.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace msrp::detail {

class request_answers {
public:
    request_answers(const session_options& options, reply_queue& replies, message_assembler& assembler)
        : options_(options), replies_(replies), assembler_(assembler) {}

    /// This side's URI and the peer's path, which requests must name.
    void set_paths(URI local_uri, Path remote_path);
    const URI& local_uri() const noexcept { return local_uri_; }

    /// One request read (a whole chunk or a segment of one): queues its
    /// answer and adds the messages it completes or carries to `ready`.
    /// True when it was an empty SEND for this session (RFC 4975 §7.1: a
    /// keep-alive), answered and not delivered; `chunk` is left as it came.
    bool on_request(IncomingChunk& chunk, std::vector<IncomingMessage>& ready);
    /// Whether `request` is for this session (its To-Path and From-Path).
    bool paths_belong(const Chunk& request);
    /// A chunk was read: unless its paths are byte for byte those of the
    /// chunk before (`IncomingChunk::same_paths_as_previous`, the
    /// connection's one record of it), the last verdict on them is void.
    void on_chunk_read(const IncomingChunk& chunk) noexcept {
        if (!chunk.same_paths_as_previous)
            paths_verdict_.reset();
    }
    /// The application gives up a message being received; with
    /// Failure-Report yes the sender gets a failure REPORT (413). False when
    /// no such message is being received.
    bool stop(std::string_view message_id, bool may_reply);

private:
    /// For a chunk that asks for progress REPORTs
    /// (`session_options::progress_report_bytes`), keeps what the REPORT
    /// needs before the chunk goes to the assembler; false for others.
    bool take_progress_subject(const Chunk& chunk);
    /// The REPORT for bytes 1-N of the message `progress_` names, when N
    /// grew enough since the last one.
    void report_progress();

    // The request being read (its segments share one transaction).
    struct request_in_progress {
        std::string transaction_id;
        std::string reply_to;   ///< the previous hop, as written
        int code = 0;           ///< 0: not decided yet (200 unless reassembly fails)
        bool want_ok = false;   ///< a 2xx answer is to be sent
        bool want_error = false; ///< an error answer is to be sent
        bool answered = false;  ///< answered while binding
        bool keepalive = false; ///< an empty SEND: answered, not delivered
    };

    const session_options& options_;
    reply_queue& replies_;
    message_assembler& assembler_;
    URI local_uri_;
    Path remote_path_;
    request_in_progress current_;
    /// The verdict on the paths of the chunks read since they last changed:
    /// a session's chunks repeat them byte for byte, so their URIs are
    /// parsed and compared once, not per chunk.
    std::optional<bool> paths_verdict_;
    /// The chunk being reported on as it arrives (buffers reused).
    struct progress_subject {
        std::string message_id;
        std::string from_path;
        std::uint64_t total = ByteRange::unknown;
    };
    progress_subject progress_;
    /// N of the last progress REPORT (bytes 1-N), for every message in
    /// progress that asked for REPORTs: at most `max_messages_in_progress`,
    /// as an entry goes when its message does.
    ident_map<std::uint64_t> progress_reported_;
};

} // namespace msrp::detail
