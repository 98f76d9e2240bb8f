#include "request_answers.hpp"

#include <msrp/protocol/accept_types.hpp>
#include <msrp/protocol/random_ident.hpp>
#include <msrp/protocol/report_rules.hpp>
#include <msrp/protocol/request_paths.hpp>

namespace msrp::detail {
namespace {

bool is_2xx(int code) noexcept { return code / 100 == 2; }

// The previous hop, to which a response goes (RFC 4975 §7.2): the first
// URI of the request's From-Path, as it was written.
std::string_view first_uri(std::string_view path) noexcept {
    const auto space = path.find(' ');
    return space == std::string_view::npos ? path : path.substr(0, space);
}

} // namespace

void request_answers::set_paths(URI local_uri, Path remote_path) {
    local_uri_ = std::move(local_uri);
    remote_path_ = std::move(remote_path);
    paths_verdict_.reset();
}

bool request_answers::paths_belong(const Chunk& chunk) {
    if (!paths_verdict_)
        paths_verdict_ = !check_request_paths(chunk, local_uri_, remote_path_);
    return *paths_verdict_;
}

bool request_answers::stop(std::string_view message_id, bool may_reply) {
    Chunk first;
    if (!assembler_.stop(message_id, &first))
        return false;
    progress_reported_.erase(message_id);
    // Its chunks so far were answered 200: with Failure-Report yes the
    // sender is owed word of the failure (RFC 4975 §7.1.2), besides the
    // 413 its next chunk will get.
    if (may_reply && failure_report_of(first) == failure_report::yes) {
        const auto range = first.byte_range().value_or(ByteRange{1, ByteRange::unknown, ByteRange::unknown});
        replies_.add(make_report(first, local_uri_, 413, {}, ByteRange{1, range.total, range.total}));
    }
    return true;
}

bool request_answers::take_progress_subject(const Chunk& chunk) {
    if (!options_.progress_report_bytes || !success_report_wanted(chunk))
        return false;
    const std::string* id = chunk.find_header("Message-ID");
    const std::string* from = chunk.find_header("From-Path");
    if (!id || !from)
        return false; // the parser lets no SEND through without them
    progress_.message_id = *id;
    progress_.from_path = *from;
    progress_.total = chunk.byte_range().value_or(ByteRange{}).total;
    return true;
}

void request_answers::report_progress() {
    const auto in_order = assembler_.in_order_bytes(progress_.message_id);
    if (!in_order) {
        // Complete with this chunk (its whole-message REPORT follows), or failed.
        progress_reported_.erase(progress_.message_id);
        return;
    }
    auto [last, inserted] = progress_reported_.try_emplace(progress_.message_id, 0);
    if (!last || *in_order == *last || *in_order - *last < *options_.progress_report_bytes)
        return;
    *last = *in_order;
    replies_.add_success_report(random_ident(), progress_.from_path, progress_.message_id,
                                ByteRange{1, *in_order, progress_.total});
}

bool request_answers::on_request(IncomingChunk& chunk, std::vector<IncomingMessage>& ready) {
    const bool ends = chunk.end_of_chunk;
    const bool is_send = chunk.method == "SEND";
    if (chunk.segment <= 1) {
        // The first piece of a request decides its answer.
        current_.transaction_id = chunk.transaction_id;
        const std::string* from = chunk.find_header("From-Path");
        current_.reply_to.assign(from ? first_uri(*from) : std::string_view());
        current_.code = 0;
        current_.answered = chunk.answered;
        current_.want_ok = response_wanted(chunk, 200);
        current_.want_error = response_wanted(chunk, 400);
        current_.keepalive = false;
        if (is_send) {
            if (!paths_belong(chunk)) {
                current_.code = 481;
            } else if (chunk.has_body) {
                const std::string* type = chunk.find_header("Content-Type");
                if (!type || !content_type_accepted(*type, options_.accept_types))
                    current_.code = 415;
            }
            current_.keepalive = !chunk.has_body && chunk.data.empty() && chunk.segment == 0 &&
                                 chunk.contflag == contflag::complete;
        } else {
            current_.code = 501; // RFC 4975 §7.3: a method this endpoint does not know
        }
    }
    const auto before = ready.size();
    bool progress = false;
    if (is_send && current_.code == 0 && !current_.keepalive) {
        progress = ends && take_progress_subject(chunk);
        if (const auto failed = assembler_.add(std::move(chunk), ready))
            current_.code = status_code_for(failed);
    }
    // The transaction's answer first, then the REPORT of the message it
    // completed: a sender that waits for its answer need not see a REPORT
    // for a chunk it thinks is unanswered.
    if (ends && !current_.answered) {
        const int code = current_.code != 0 ? current_.code : 200;
        if (is_2xx(code) ? current_.want_ok : current_.want_error)
            replies_.add_response(current_.transaction_id, code, current_.reply_to);
    }
    if (progress)
        report_progress();
    if (ready.size() > before) {
        // RFC 4975 §7.1.3: the success REPORT covers the whole message.
        for (auto i = before; i < ready.size(); ++i) {
            const auto& m = ready[i];
            if (!m.complete() || !success_report_wanted(m))
                continue;
            const std::string* from = m.find_header("From-Path");
            const std::string* id = m.find_header("Message-ID");
            if (!from || !id)
                continue; // the parser lets no SEND through without them
            const auto r = m.byte_range().value_or(ByteRange{});
            const std::uint64_t total = r.total != ByteRange::unknown ? r.total : r.end;
            replies_.add_success_report(random_ident(), *from, *id, ByteRange{1, total, total});
        }
    }
    return current_.keepalive && current_.code == 0;
}

} // namespace msrp::detail
