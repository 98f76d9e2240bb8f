#include "session_core.hpp"

#include "../../detail/ascii.hpp"
#include "../../detail/text_checks.hpp"

#include <msrp/protocol/chunk_serializer.hpp>
#include <msrp/protocol/error.hpp>
#include <msrp/protocol/make_chunk.hpp>
#include <msrp/protocol/random_ident.hpp>
#include <msrp/protocol/report_rules.hpp>

#include <algorithm>

namespace msrp::detail {
namespace {

bool is_2xx(int code) noexcept { return code / 100 == 2; }

std::size_t memory_body_size(const outgoing_message& m) noexcept {
    return m.shared_data ? m.shared_data->size() : m.data.size();
}

// Whether the peer's parser takes the header fields of `m` as they are
// (chunk_parser): a valid Content-Type, report values it knows, header
// fields it can read and that the session does not write itself. Checked
// once when queued: every chunk of the message repeats them.
bool writable_fields(const outgoing_message& m) {
    if (!is_valid_content_type(m.content_type))
        return false;
    if (const auto& f = m.failure_report_field;
        f && !iequals(*f, "yes") && !iequals(*f, "no") && !iequals(*f, "partial"))
        return false;
    if (const auto& s = m.success_report_field; s && !iequals(*s, "yes") && !iequals(*s, "no"))
        return false;
    for (const auto& h : m.headers) {
        if (h.name.empty() || !is_alpha(static_cast<unsigned char>(h.name[0])))
            return false;
        for (unsigned char c : h.name)
            if (!is_token_char(c))
                return false;
        if (check_utf8text(h.value) != errc{})
            return false;
        for (const char* own : {"To-Path", "From-Path", "Message-ID", "Byte-Range", "Content-Type", "Success-Report",
                                "Failure-Report"})
            if (iequals(h.name, own))
                return false;
    }
    return true;
}

} // namespace

session_core::session_core(session_options options, URI local_uri, Path remote_path, std::error_code timed_out,
                           time_point now)
    : options_(std::move(options)),
      queue_(options_),
      report_window_(options_),
      assembler_(options_.receive),
      answers_(options_, replies_, assembler_),
      last_traffic_(now),
      timed_out_(timed_out) {
    if (options_.chunk_size == 0)
        options_.chunk_size = 1;
    to_path_text_ = format_path(remote_path);
    remote_path_ = remote_path;
    from_path_text_ = format_path(Path{local_uri});
    replies_.set_local_path(from_path_text_);
    answers_.set_paths(std::move(local_uri), std::move(remote_path));
}

// ---- admission -------------------------------------------------------------

std::size_t session_core::chunk_bytes_of(const outgoing_message& m) const noexcept {
    return m.chunk_size.value_or(options_.chunk_size);
}

std::size_t session_core::message_cost(const outgoing_message& m) const noexcept {
    return send_queue::message_cost(m.from_source, chunk_bytes_of(m), memory_body_size(m));
}

std::error_code session_core::queue_chunk(Chunk chunk, response_handler on_response, bool internal) {
    if (closing_)
        return errc::session_closed;
    if (chunk.transaction_id.empty())
        chunk.transaction_id = choose_transaction_id(chunk.data);
    if (chunk.is_request()) {
        // A request's answer is found by its transaction id, kept up to the
        // 32 octets of an RFC 4975 ident (the serializer lets longer ones
        // through); nor could two answers for one id be told apart.
        if (chunk.transaction_id.size() > ident_map<int>::max_key_bytes)
            return errc::bad_transaction_id;
        if (transactions_.contains(chunk.transaction_id))
            return errc::invalid_argument;
    }
    // Checked now, so that the caller hears of a chunk that cannot be
    // written rather than its handler later. (Not in the batch's scratch:
    // a handler may queue a chunk while a batch is being filled.)
    if (const auto ec = serialize(chunk, checked_))
        return ec;
    const std::size_t cost = chunk.data.size() + checked_.head.size() + send_queue::item_overhead;
    if (!queue_.has_room(cost))
        return errc::queue_full;
    queued_chunk q;
    q.chunk = std::move(chunk);
    q.on_response = std::move(on_response);
    q.internal = internal;
    queue_.push_chunk(std::move(q), cost);
    return {};
}

std::string session_core::queue_message(std::shared_ptr<outgoing_message> m, std::error_code& ec) {
    ec = {};
    if (closing_) {
        ec = errc::session_closed;
        return {};
    }
    const std::size_t cost = message_cost(*m);
    if (!queue_.has_room(cost)) {
        ec = errc::queue_full;
        return {};
    }
    if (m->id.empty())
        m->id = random_ident();
    // RFC 4975 §9: the peer's parser refuses anything else, and with it the
    // whole connection.
    if (!is_ident(m->id)) {
        ec = errc::bad_message_id;
        return {};
    }
    if (!writable_fields(*m) || m->chunk_size == std::size_t{0}) {
        ec = errc::invalid_argument; // a chunk of no bytes would never end the message
        return {};
    }
    if (unfinished_.contains(m->id)) {
        ec = errc::invalid_argument; // two messages with one Message-ID cannot be told apart
        return {};
    }
    m->total = m->from_source ? m->size.value_or(ByteRange::unknown) : memory_body_size(*m);
    m->chunk_bytes = chunk_bytes_of(*m);
    if (m->failure_report_field)
        m->failure_mode = failure_report_value(*m->failure_report_field);
    m->success_report = m->success_report_field && success_report_value(*m->success_report_field);
    if (!m->from_source)
        m->body = m->shared_data ? std::string_view(*m->shared_data) : std::string_view(m->data);
    unfinished_.try_emplace(m->id, m);
    std::string id = m->id;
    queue_.push_message(std::move(m), cost);
    return id;
}

bool session_core::abort_message(std::string_view message_id) {
    const auto* m = unfinished_.find(message_id);
    if (!m || (*m)->all_sent)
        return false;
    (*m)->abort_requested = true;
    // Its '#' goes at once, not once REPORTs make room.
    if ((*m)->waits_for_room)
        queue_.requeue(report_window_.take(**m));
    return true;
}

bool session_core::stop_receiving(std::string_view message_id) { return answers_.stop(message_id, !ended_); }

// ---- input -----------------------------------------------------------------

void session_core::on_chunk(IncomingChunk& chunk, time_point now, std::vector<IncomingMessage>& ready) {
    if (ended_)
        return;
    last_traffic_ = now;
    answers_.on_chunk_read(chunk);
    if (chunk.is_response()) {
        handle_response(chunk, now);
        return;
    }
    if (chunk.method != "REPORT") {
        if (answers_.on_request(chunk, ready))
            on_empty_send(chunk);
        return;
    }
    // RFC 4975 §7.1.2: nobody answers a REPORT. It settles or reports on a
    // message sent here, and is handed on when someone takes it; else the
    // chunk keeps its buffers for the next one read.
    handle_report(chunk, now);
    if (reports_taken_ && !detached_ && answers_.paths_belong(chunk)) {
        IncomingMessage m;
        static_cast<Chunk&>(m) = std::move(chunk);
        ready.push_back(std::move(m));
    }
}

void session_core::on_empty_send(const IncomingChunk& chunk) {
    // Answered already and delivered as nothing; only counted and shown.
    ++stats_.empty_sends_received;
    if (const std::string* k = chunk.find_header("Keep-Alive"); k && iequals(*k, "yes"))
        ++stats_.keepalives_received;
    if (on_empty_send_ && !detached_)
        on_empty_send_(chunk);
}

void session_core::handle_response(const Chunk& response, time_point now) {
    pending_transaction t;
    if (!transactions_.take(response.transaction_id, t))
        return; // late (its verdict was given) or unknown: nothing waits for it
    complete_transaction(t, response, false, now);
    transactions_.trim();
}

void session_core::handle_report(const Chunk& report, time_point now) {
    // RFC 4975 §7.1.2: a REPORT names the message by its Message-ID; one
    // for a message not sent here is ignored.
    const std::string* id = report.find_header("Message-ID");
    if (!id)
        return;
    const auto* found = unfinished_.find(*id);
    if (!found)
        return;
    const auto m = *found;
    const auto status = report.status();
    if (!status)
        return;
    const std::uint64_t known_end = m->known_total();
    auto range = report.byte_range().value_or(ByteRange{1, known_end, m->total});
    if (range.end == ByteRange::unknown)
        range.end = known_end;
    if (status->code != 200) {
        finish_message(*m, status->code, status->comment, errc::transaction_failed, &report);
        return;
    }
    report_message(*m, message_report{m->id, 200, status->comment, range, {}, false, &report});
    if (m->all_sent && m->delivered.empty() && range.start == 1 && range.end == known_end) {
        finish_message(*m, 200, status->comment, {}, &report); // the usual case: one REPORT for the whole message
        return;
    }
    // Only bytes sent count: a REPORT claiming more is the peer's mistake,
    // and must not open the REPORT window for bytes nobody reported.
    const std::uint64_t covered_before = m->delivered.covered_bytes();
    m->delivered.insert(std::max<std::uint64_t>(range.start, 1), std::min(range.end, m->next - 1));
    if (m->waits_for_room) {
        if (report_window_.has_room(*m))
            queue_.requeue(report_window_.take(*m));
        else if (m->delivered.covered_bytes() > covered_before)
            report_window_.extend(*m, now + options_.response_timeout);
    }
    check_settled(*m, now);
}

// ---- outcomes --------------------------------------------------------------

Chunk session_core::local_response(std::string_view transaction_id, int code, std::string comment) const {
    Chunk r;
    r.transaction_id = transaction_id;
    r.code = code;
    r.comment = comment.empty() ? std::string(status_comment(code)) : std::move(comment);
    r.headers.push_back(Header{"To-Path", from_path_text_});
    r.headers.push_back(Header{"From-Path", to_path_text_});
    return r;
}

void session_core::complete_transaction(pending_transaction& t, const Chunk& response, bool made_up,
                                        time_point now) {
    // A made-up 200 (Failure-Report partial) is the outcome expected.
    if (made_up && response.code / 100 != 2 && closing_ && !ended_)
        made_up_while_closing_ = true;
    if (t.message)
        message_response(*t.message, response, made_up, now);
    if (t.on_response && (t.internal || !detached_))
        t.on_response(response);
    if (t.keepalive) {
        keepalive_pending_ = false;
        if (!made_up && is_2xx(response.code))
            ++stats_.keepalives_answered;
        // A keep-alive nobody answers: the peer or the path is gone.
        if (response.code == 408)
            end(timed_out_);
    }
}

void session_core::message_response(outgoing_message& m, const Chunk& response, bool made_up, time_point now) {
    if (m.in_flight > 0)
        --m.in_flight;
    if (!is_2xx(response.code)) {
        // RFC 4975 §7.1.1: a failed chunk fails the message; nothing more of
        // it is sent. A verdict made here says so: the peer said nothing.
        finish_message(m, response.code, response.comment, made_up ? errc::no_response : errc::transaction_failed,
                       made_up ? nullptr : &response);
        return;
    }
    check_settled(m, now);
}

void session_core::check_settled(outgoing_message& m, time_point now) {
    if (m.final_sent || !m.all_sent)
        return;
    const std::uint64_t total = m.known_total();
    // A success REPORT for every byte settles it, whatever responses are
    // still owed (with Failure-Report partial none ever come).
    if (m.success_report && m.delivered.covers(1, total)) {
        finish_message(m, 200, "OK", {});
        return;
    }
    if (m.in_flight > 0)
        return;
    if (!m.success_report) {
        finish_message(m, 200, "OK", {});
        return;
    }
    // Every chunk was accepted; the success REPORT may still be on its way.
    if (!m.waits_for_report)
        transactions_.wait_for_report(m.shared_from_this(), now + options_.response_timeout);
}

void session_core::report_message(outgoing_message& m, const message_report& report) {
    if (!detached_ && m.on_report)
        m.on_report(report);
}

void session_core::finish_message(outgoing_message& m, int code, std::string comment, std::error_code error,
                                  const Chunk* source) {
    if (m.final_sent)
        return;
    m.final_sent = true;
    queue_.refund_all(m.queued_bytes);
    queue_.release_turn(m);
    // The map (or the REPORT window) may hold the last reference.
    std::shared_ptr<outgoing_message> keep;
    unfinished_.take(m.id, keep);
    if (m.waits_for_room)
        keep = report_window_.take(m);
    if (m.waits_for_report)
        transactions_.trim_reports();
    const std::uint64_t total = m.known_total();
    report_message(m, message_report{m.id, code, std::move(comment), ByteRange{1, total, total}, error, true, source});
}

void session_core::release_body(outgoing_message& m) {
    // MSRP never sends a byte twice: once the last chunk is written the body
    // is not needed, whatever answers are still to come. Freed now, memory
    // follows what is left to write, one write at a time.
    if (m.body.empty())
        return;
    m.body = {};
    std::string().swap(m.data);
    m.shared_data.reset();
}

// ---- time ------------------------------------------------------------------

session_core::time_point session_core::next_deadline() {
    auto next = std::min(transactions_.next_deadline(), report_window_.next_deadline());
    if (options_.keepalive_interval && !closing_ && !ended_ && !keepalive_pending_)
        next = std::min(next, last_traffic_ + *options_.keepalive_interval);
    return next;
}

void session_core::on_timer(time_point now) {
    std::string id;
    pending_transaction t;
    while (!ended_ && transactions_.take_expired(now, id, t)) {
        const auto response = local_response(id, t.timeout_code, {});
        complete_transaction(t, response, true, now);
    }
    while (!ended_) {
        const auto m = transactions_.take_expired_report(now);
        if (!m)
            break;
        finish_message(*m, 408, "no success report came in time", timed_out_);
    }
    while (!ended_) {
        // No REPORT made room in time: the receiver reports only whole
        // messages, or nothing. Given up rather than left waiting for ever,
        // and the peer hears of it: the next chunk ends in '#'.
        auto m = report_window_.take_expired(now);
        if (!m)
            break;
        m->abort_requested = true;
        m->abort_code = 408;
        m->abort_comment = "no success REPORT made room in the REPORT window in time";
        m->abort_error = errc::report_window_stalled;
        queue_.requeue(std::move(m));
    }
    if (!ended_ && !closing_ && options_.keepalive_interval && !keepalive_pending_ &&
        now - last_traffic_ >= *options_.keepalive_interval)
        send_keepalive();
}

void session_core::send_keepalive() {
    // An empty SEND: the peer answers it and delivers nothing (RFC 4975 §7.1).
    queued_chunk q;
    q.chunk = make_chunk(remote_path_, Path{local_uri()}, {});
    q.chunk.set_header("Keep-Alive", "yes");
    q.internal = true;
    q.keepalive = true;
    if (serialize(q.chunk, checked_))
        return; // cannot happen: every field is ours
    const std::size_t cost = checked_.head.size() + send_queue::item_overhead;
    queue_.push_chunk(std::move(q), cost);
    keepalive_pending_ = true;
    ++stats_.keepalives_sent;
}

// ---- the end ---------------------------------------------------------------

session_core::shutdown_step session_core::next_shutdown_step() noexcept {
    if (ended_)
        return shutdown_step::done;
    if (shutdown_phase_ == shutdown_phase::flushing) {
        if (has_unsent())
            return shutdown_step::wait;
        shutdown_phase_ = shutdown_phase::awaiting_answers;
    }
    return transactions_.awaits_answers() ? shutdown_step::wait : shutdown_step::close_transport;
}

void session_core::end(std::error_code reason) {
    if (ended_)
        return;
    if (!reason)
        reason = errc::session_closed; // an end always has a reason to report
    ended_ = true;
    closing_ = true;
    end_reason_ = reason;
    // Each outcome once. Everything is taken out first: a handler may call
    // back into the session.
    auto queued = queue_.take_all();
    auto pending = transactions_.take_all();
    report_window_.clear(); // its messages are among the unfinished
    auto messages = std::move(unfinished_);
    unfinished_.clear();
    replies_.clear();
    for (auto& q : queued)
        if (q.on_response && (q.internal || !detached_))
            q.on_response(local_response(q.chunk.transaction_id, 408, "the session ended before the chunk was sent"));
    // In the order they were sent; the seed's rule, as if the time were up.
    pending.for_each([&](std::string_view id, const pending_transaction& t) {
        if (t.on_response && (t.internal || !detached_))
            t.on_response(local_response(id, t.timeout_code, "the session ended before the response came"));
    });
    std::vector<std::shared_ptr<outgoing_message>> unsettled;
    messages.for_each([&](std::string_view, const std::shared_ptr<outgoing_message>& m) { unsettled.push_back(m); });
    std::sort(unsettled.begin(), unsettled.end(), [](const auto& a, const auto& b) { return a->id < b->id; });
    for (auto& m : unsettled) {
        queue_.refund_all(m->queued_bytes);
        if (m->final_sent)
            continue;
        m->final_sent = true;
        const std::uint64_t total = m->known_total();
        report_message(*m, message_report{m->id, 408, "the session ended before the message was delivered",
                                          ByteRange{1, total, total}, reason, true});
    }
}

} // namespace msrp::detail
