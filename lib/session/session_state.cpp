#include "session_state.hpp"

#include "../protocol/ascii.hpp"
#include "../protocol/text_checks.hpp"

#include <msrp/protocol/accept_types.hpp>
#include <msrp/protocol/random_ident.hpp>

#include <asio/co_spawn.hpp>
#include <asio/error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <cstring>

namespace msrp::detail {
namespace {

constexpr auto as_tuple_awaitable = asio::experimental::as_tuple(asio::use_awaitable);

// Spawned session coroutines report failures through the session; an
// exception is a bug (or thrown by an application handler) and leaves the
// io_context's run() with it.
void rethrow(std::exception_ptr e) {
    if (e)
        std::rethrow_exception(e);
}

bool is_2xx(int code) noexcept { return code / 100 == 2; }

// The previous hop, to which a response goes (RFC 4975 §7.2): the first
// URI of the request's From-Path, as it was written.
std::string_view first_uri(std::string_view path) noexcept {
    const auto space = path.find(' ');
    return space == std::string_view::npos ? path : path.substr(0, space);
}

// Whether the peer's parser takes the header fields of `m` as they are
// (chunk_parser): a valid Content-Type, report values it knows, header
// fields it can read and that the session does not write itself.
bool writable_fields(const OutgoingMessage& m) {
    if (!is_valid_content_type(m.content_type))
        return false;
    if (m.failure_report && !iequals(*m.failure_report, "yes") && !iequals(*m.failure_report, "no") &&
        !iequals(*m.failure_report, "partial"))
        return false;
    if (m.success_report && !iequals(*m.success_report, "yes") && !iequals(*m.success_report, "no"))
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

session_state::session_state(std::unique_ptr<MSRPTransport> t, session_options o)
    : transport(std::move(t)),
      options(std::move(o)),
      assembler(options.receive),
      deadline_timer(transport->get_executor()),
      writer_wake(transport->get_executor()),
      progress(transport->get_executor()),
      keepalive_timer(transport->get_executor()),
      last_traffic(clock::now()) {
    to_path_text = format_path(transport->full_remote_path());
    from_path_text = format_path(Path{transport->local_uri()});
    if (options.chunk_size == 0)
        options.chunk_size = 1;
}

void session_state::start() {
    const auto executor = transport->get_executor();
    // Replies held back go out when the reader runs out of input.
    transport->set_read_wait_hook([this] { flush_replies(); });
    asio::co_spawn(executor, read_loop(), rethrow);
    asio::co_spawn(executor, write_loop(), rethrow);
    asio::co_spawn(executor, deadline_loop(), rethrow);
    if (options.keepalive_interval)
        asio::co_spawn(executor, keepalive_loop(), rethrow);
}

// ---- sending ---------------------------------------------------------------

std::size_t session_state::memory_body_size(const OutgoingMessage& message) noexcept {
    return message.shared_data ? message.shared_data->size() : message.data.size();
}

std::size_t session_state::queued_cost(const OutgoingMessage& message) const noexcept {
    return (message.source ? options.chunk_size : memory_body_size(message)) + queued_item_overhead;
}

bool session_state::has_room(std::size_t bytes) const noexcept {
    // An empty queue takes anything, so one message larger than the limit
    // can still be sent.
    return queued_bytes == 0 || queued_bytes + bytes <= options.max_queued_bytes;
}

std::error_code session_state::queue_chunk(Chunk chunk, response_handler on_response, bool internal) {
    if (closing)
        return errc::session_closed;
    if (chunk.transaction_id.empty())
        chunk.transaction_id = choose_transaction_id(chunk.data);
    if (chunk.is_request()) {
        // A request's answer is found by its transaction id, kept up to the
        // 32 octets of an RFC 4975 ident (the serializer lets longer ones
        // through); nor could two answers for one id be told apart.
        if (chunk.transaction_id.size() > ident_map<int>::max_key_bytes)
            return errc::bad_transaction_id;
        if (transactions.contains(chunk.transaction_id))
            return errc::invalid_argument;
    }
    // Checked now, so that the caller hears of a chunk that cannot be
    // written rather than its handler later.
    serialized_chunk scratch;
    if (const auto ec = serialize(chunk, scratch))
        return ec;
    const std::size_t bytes = chunk.data.size() + scratch.head.size() + queued_item_overhead;
    if (!has_room(bytes))
        return errc::queue_full;
    queued_bytes += bytes;
    chunks.push_back(queued_chunk{std::move(chunk), std::move(on_response), internal, bytes});
    writer_wake.notify();
    return {};
}

std::string session_state::queue_message(OutgoingMessage message, message_handler on_report, std::error_code& ec) {
    ec = {};
    if (closing) {
        ec = errc::session_closed;
        return {};
    }
    auto m = std::make_shared<outgoing_message>();
    m->queued_bytes = queued_cost(message);
    if (!has_room(m->queued_bytes)) {
        ec = errc::queue_full;
        return {};
    }
    m->id = message.message_id.empty() ? random_ident() : message.message_id;
    // RFC 4975 §9: the peer's parser refuses anything else, and with it the
    // whole connection.
    if (!is_ident(m->id)) {
        ec = errc::bad_message_id;
        return {};
    }
    if (!unfinished.try_emplace(m->id, m).second) {
        ec = errc::invalid_argument; // two messages with one Message-ID cannot be told apart
        return {};
    }
    m->total = message.source ? message.size.value_or(ByteRange::unknown) : memory_body_size(message);
    // The header fields are checked once here, as the peer's parser will:
    // every chunk of the message repeats them, written without the serializer.
    if (!writable_fields(message)) {
        unfinished.erase(m->id);
        ec = errc::invalid_argument;
        return {};
    }
    if (message.failure_report)
        m->failure_mode = failure_report_value(*message.failure_report);
    m->success_report = message.success_report && success_report_value(*message.success_report);
    m->message = std::move(message);
    if (!m->message.source)
        m->body = m->message.shared_data ? std::string_view(*m->message.shared_data) : std::string_view(m->message.data);
    m->on_report = std::move(on_report);
    queued_bytes += m->queued_bytes;
    const bool one_chunk = !m->message.source && m->body.size() <= options.chunk_size;
    if (one_chunk) {
        sending.push_back(m);
    } else if (interleaved < std::max<std::size_t>(options.max_interleaved_messages, 1)) {
        m->holds_turn = true;
        ++interleaved;
        sending.push_back(m);
    } else {
        waiting.push_back(m);
    }
    writer_wake.notify();
    return m->id;
}

void session_state::release_body(outgoing_message& m) {
    // MSRP never sends a byte twice: once the last chunk is written the body
    // is not needed, whatever answers are still to come. Freed now, memory
    // and the queue's count follow what is left to write, and bodies are
    // freed one write at a time, not in bursts as answers arrive.
    if (m.body.empty())
        return;
    const std::size_t counted = m.queued_bytes > queued_item_overhead ? m.queued_bytes - queued_item_overhead : 0;
    queued_bytes -= counted;
    m.queued_bytes -= counted;
    m.body = {};
    std::string().swap(m.message.data);
    m.message.shared_data.reset();
}

void session_state::release_turn(outgoing_message& m) {
    if (!m.holds_turn)
        return;
    m.holds_turn = false;
    --interleaved;
    while (interleaved < std::max<std::size_t>(options.max_interleaved_messages, 1) && !waiting.empty()) {
        auto next = std::move(waiting.front());
        waiting.pop_front();
        if (next->final_sent)
            continue;
        next->holds_turn = true;
        ++interleaved;
        sending.push_back(std::move(next));
    }
    writer_wake.notify();
}

bool session_state::awaits_answers() const noexcept {
    // Answers that may still change an outcome: a response where a 200 is
    // owed, any answer for a message not settled, a success REPORT.
    bool owed = false;
    transactions.for_each([&](std::string_view, const pending_transaction& t) {
        owed = owed || (t.message ? !t.message->final_sent : t.failure_mode == failure_report::yes);
    });
    if (owed)
        return true;
    for (const auto& [deadline, m] : report_deadlines)
        if (!m->final_sent)
            return true;
    return false;
}

bool session_state::has_unsent() const noexcept {
    return writing || !reply_bytes.empty() || !chunks.empty() || !sending.empty() || !waiting.empty();
}

bool session_state::stop_sending(std::string_view message_id) {
    const auto* m = unfinished.find(message_id);
    if (!m || (*m)->all_sent)
        return false;
    (*m)->abort_requested = true;
    writer_wake.notify();
    return true;
}

bool session_state::stop_receiving(std::string_view message_id) {
    Chunk first;
    if (!assembler.stop(message_id, &first))
        return false;
    // Its chunks so far were answered 200: with Failure-Report yes the
    // sender is owed word of the failure (RFC 4975 §7.1.2), besides the
    // 413 its next chunk will get.
    if (!ended && failure_report_of(first) == failure_report::yes) {
        const auto range = first.byte_range().value_or(ByteRange{1, ByteRange::unknown, ByteRange::unknown});
        queue_reply(make_report(first, transport->local_uri(), 413, {}, ByteRange{1, range.total, range.total}));
    }
    return true;
}

void session_state::queue_reply(const Chunk& reply) {
    if (serialize(reply, reply_wire))
        return; // cannot happen for the replies built here
    reply_bytes += reply_wire.head;
    reply_bytes += reply_wire.tail_view();
    ++reply_count;
    writer_wake.notify();
}

void session_state::queue_success_report(const Chunk& message, std::uint64_t total) {
    // As make_report writes it, straight into the reply buffer (one per
    // message where success reports are asked for): To-Path is the SEND's
    // From-Path as the peer wrote it (RFC 4975 §7.1.2).
    const std::string* from = message.find_header("From-Path");
    const std::string* id = message.find_header("Message-ID");
    if (!from || !id)
        return; // the parser lets no SEND through without them
    const std::string tid = random_ident();
    auto& out = reply_bytes;
    out += "MSRP ";
    out += tid;
    out += " REPORT\r\nTo-Path: ";
    out += *from;
    out += "\r\nFrom-Path: ";
    out += from_path_text;
    out += "\r\nMessage-ID: ";
    out += *id;
    out += "\r\nByte-Range: ";
    ByteRange{1, total, total}.append_to(out);
    out += "\r\nStatus: 000 200 OK\r\n-------";
    out += tid;
    out += "$\r\n";
    ++reply_count;
    reply_queued();
}

void session_state::queue_response(int code) {
    // Written straight into the reply buffer: one response per SEND makes
    // this the busiest path of a receiver. The transaction id and the
    // previous hop come from a parsed chunk, so they are valid as they are.
    const char digits[3] = {char('0' + code / 100), char('0' + code / 10 % 10), char('0' + code % 10)};
    auto& out = reply_bytes;
    out += "MSRP ";
    out += current.transaction_id;
    out += ' ';
    out.append(digits, 3);
    if (const char* comment = status_comment(code); *comment) {
        out += ' ';
        out += comment;
    }
    out += "\r\nTo-Path: ";
    out += current.reply_to;
    out += "\r\nFrom-Path: ";
    out += from_path_text;
    out += "\r\n-------";
    out += current.transaction_id;
    out += "$\r\n";
    ++reply_count;
    reply_queued();
}

void session_state::reply_queued() {
    // Replies made while reading wait for the reader to run out of input
    // (the read-wait hook), so that a stream of chunks is answered in a few
    // writes rather than one per chunk; a long stream flushes them every
    // `held_replies` on the way.
    if (reply_count >= held_replies)
        writer_wake.notify();
}

void session_state::flush_replies() {
    if (reply_count > 0)
        writer_wake.notify();
}

void session_state::track(std::string_view transaction_id, pending_transaction t) {
    const auto deadline = clock::now() + options.response_timeout;
    auto replaced = transactions.add(transaction_id, deadline, std::move(t));
    deadline_added(deadline);
    if (replaced) {
        // Two requests went out under one transaction id (queued together,
        // see queue_chunk): the answer will be taken for the later one.
        const auto response = local_response(std::string(transaction_id), replaced->timeout_code,
                                             "another request was sent with the same transaction id");
        complete_transaction(*replaced, response, true);
    }
}

void session_state::deadline_added(clock::time_point deadline) {
    // The timer may stay set for an earlier deadline, even one whose answer
    // came: the loop then wakes, finds nothing due and sets it for the
    // first deadline left. So only a loop sleeping past `deadline` (or
    // without any) is woken, not one per request: one at a time, every
    // request would cost a wake-up and a timer system call.
    if (deadline >= deadline_timer_at)
        return;
    deadline_timer_at = deadline;
    deadline_timer.cancel();
}

Chunk session_state::local_response(const std::string& transaction_id, int code, std::string comment) const {
    Chunk r;
    r.transaction_id = transaction_id;
    r.code = code;
    r.comment = comment.empty() ? std::string(status_comment(code)) : std::move(comment);
    r.headers.push_back(Header{"To-Path", from_path_text});
    r.headers.push_back(Header{"From-Path", to_path_text});
    return r;
}

// ---- outcomes --------------------------------------------------------------

void session_state::report_message(outgoing_message& m, message_report report) {
    if (!detached && m.on_report)
        m.on_report(report);
}

void session_state::finish_message(outgoing_message& m, int code, std::string comment, std::error_code error,
                                   const Chunk* source) {
    if (m.final_sent)
        return;
    m.final_sent = true;
    queued_bytes -= m.queued_bytes;
    m.queued_bytes = 0;
    release_turn(m);
    // The map may hold the last reference.
    std::shared_ptr<outgoing_message> keep;
    unfinished.take(m.id, keep);
    if (m.waits_for_report)
        trim_report_deadlines();
    const std::uint64_t total = m.total != ByteRange::unknown ? m.total : m.next - 1;
    report_message(m, message_report{m.id, code, std::move(comment), ByteRange{1, total, total}, error, true, source});
    progress.notify(); // room in the queue
}

void session_state::check_settled(outgoing_message& m) {
    if (m.final_sent || !m.all_sent)
        return;
    const std::uint64_t total = m.total != ByteRange::unknown ? m.total : m.next - 1;
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
    if (!m.waits_for_report) {
        m.waits_for_report = true;
        const auto deadline = clock::now() + options.response_timeout;
        report_deadlines.emplace_back(deadline, m.shared_from_this());
        deadline_added(deadline);
    }
}

void session_state::message_response(outgoing_message& m, const Chunk& response, bool made_up) {
    if (m.in_flight > 0)
        --m.in_flight;
    if (!is_2xx(response.code)) {
        // RFC 4975 §7.1.1: a failed chunk fails the message; nothing more of it is sent.
        finish_message(m, response.code, response.comment, errc::transaction_failed, made_up ? nullptr : &response);
        return;
    }
    check_settled(m);
}

void session_state::complete_transaction(pending_transaction& t, const Chunk& response, bool made_up) {
    if (t.message)
        message_response(*t.message, response, made_up);
    if (t.on_response && (t.internal || !detached))
        t.on_response(response);
}

void session_state::end(std::error_code reason) {
    if (ended)
        return;
    if (!reason)
        reason = errc::session_closed; // an end always has a reason to report
    const auto keep = shared_from_this();
    ended = true;
    closing = true;
    end_reason = reason;
    transport->close();
    deadline_timer.cancel();
    keepalive_timer.cancel();
    writer_wake.notify();
    progress.notify();
    // Each outcome once. Everything is taken out first: a handler may call
    // back into the session.
    auto queued = std::move(chunks);
    chunks.clear();
    auto pending = std::move(transactions);
    transactions.clear();
    report_deadlines.clear(); // their messages are among `unfinished`
    auto messages = std::move(unfinished);
    unfinished.clear();
    sending.clear();
    waiting.clear();
    interleaved = 0;
    reply_bytes.clear();
    reply_count = 0;
    queued_bytes = 0;
    for (auto& q : queued)
        if (q.on_response && (q.internal || !detached))
            q.on_response(local_response(q.chunk.transaction_id, 408, "the session ended before the chunk was sent"));
    // In the order they were sent; the seed's rule, as if the time were up.
    pending.for_each([&](std::string_view id, const pending_transaction& t) {
        if (t.on_response && (t.internal || !detached))
            t.on_response(local_response(std::string(id), t.timeout_code, "the session ended before the response came"));
    });
    std::vector<std::shared_ptr<outgoing_message>> unsettled;
    messages.for_each([&](std::string_view, const std::shared_ptr<outgoing_message>& m) { unsettled.push_back(m); });
    std::sort(unsettled.begin(), unsettled.end(), [](const auto& a, const auto& b) { return a->id < b->id; });
    for (auto& m : unsettled) {
        if (m->final_sent)
            continue;
        m->final_sent = true;
        const std::uint64_t total = m->total != ByteRange::unknown ? m->total : m->next - 1;
        report_message(*m, message_report{m->id, 408, "the session ended before the message was delivered",
                                          ByteRange{1, total, total}, reason ? reason : make_error_code(errc::session_closed),
                                          true});
    }
}

// ---- the reader ------------------------------------------------------------

asio::awaitable<bool> session_state::deliver(IncomingMessage message, std::error_code ec) {
    if (channel) {
        flush_replies(); // the send may wait for room in the queue
        auto [send_ec] = co_await channel->async_send(ec, std::move(message), as_tuple_awaitable);
        if (!send_ec && !ec)
            ++channel_items;
        co_return !send_ec;
    }
    if (!detached && on_incoming)
        on_incoming(std::move(message), ec);
    co_return true;
}

void session_state::handle_response(const Chunk& response) {
    pending_transaction t;
    if (!transactions.take(response.transaction_id, t))
        return; // late (its verdict was given) or unknown: nothing waits for it
    complete_transaction(t, response);
    trim_deadlines();
    progress.notify();
}

void session_state::trim_deadlines() {
    // Answers come mostly in sending order: dropping the answered requests
    // from the front keeps the queue as long as what is in flight. A chunk
    // of a settled message waits for nothing.
    transactions.trim([](const pending_transaction& t) { return t.message && t.message->final_sent; });
}

void session_state::handle_report(const Chunk& report) {
    // RFC 4975 §7.1.2: a REPORT names the message by its Message-ID; one
    // for a message not sent here is ignored.
    const std::string* id = report.find_header("Message-ID");
    if (!id)
        return;
    const auto* found = unfinished.find(*id);
    if (!found)
        return;
    const auto m = *found;
    const auto status = report.status();
    if (!status)
        return;
    const std::uint64_t known_end = m->total != ByteRange::unknown ? m->total : m->next - 1;
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
    m->delivered.insert(range.start, range.end);
    check_settled(*m);
}

void session_state::trim_report_deadlines() {
    // REPORTs come mostly in sending order: dropping the settled messages
    // from the front keeps the queue as long as what still waits.
    while (!report_deadlines.empty() && report_deadlines.front().second->final_sent)
        report_deadlines.pop_front();
}

bool session_state::paths_belong(const Chunk& chunk) {
    // A session's chunks repeat their paths byte for byte: the URIs are
    // parsed and compared once, not per chunk.
    const std::string* to = chunk.find_header("To-Path");
    const std::string* from = chunk.find_header("From-Path");
    if (to && from && !accepted_to_path.empty() && *to == accepted_to_path && *from == accepted_from_path)
        return true;
    if (transport->check_incoming_SEND_chunk(chunk))
        return false;
    if (to && from) {
        accepted_to_path = *to;
        accepted_from_path = *from;
    }
    return true;
}

void session_state::handle_request(IncomingChunk& chunk, std::vector<IncomingMessage>& ready) {
    const bool ends = chunk.end_of_chunk;
    const bool is_send = chunk.method == "SEND";
    const bool is_report = chunk.method == "REPORT";
    if (chunk.segment <= 1) {
        // The first piece of a request decides its answer.
        current.transaction_id = chunk.transaction_id;
        const std::string* from = chunk.find_header("From-Path");
        current.reply_to.assign(from ? first_uri(*from) : std::string_view());
        current.code = 0;
        current.answered = chunk.answered;
        current.want_ok = response_wanted(chunk, 200);
        current.want_error = response_wanted(chunk, 400);
        current.keepalive = false;
        if (is_send) {
            if (!paths_belong(chunk)) {
                current.code = 481;
            } else if (chunk.has_body) {
                const std::string* type = chunk.find_header("Content-Type");
                if (!type || !content_type_accepted(*type, options.accept_types))
                    current.code = 415;
            }
            current.keepalive = !chunk.has_body && chunk.data.empty() && chunk.segment == 0 &&
                                chunk.contflag == contflag::complete;
        } else if (!is_report) {
            current.code = 501; // RFC 4975 §7.3: a method this endpoint does not know
        }
    }
    if (is_send && current.code == 0 && !current.keepalive) {
        const auto before = ready.size();
        if (const auto failed = assembler.add(std::move(chunk), ready))
            current.code = status_code_for(failed);
        // RFC 4975 §7.1.3: the success REPORT covers the whole message.
        for (auto i = before; i < ready.size(); ++i) {
            const auto& m = ready[i];
            if (!m.complete() || !success_report_wanted(m))
                continue;
            const auto r = m.byte_range().value_or(ByteRange{});
            const std::uint64_t total = r.total != ByteRange::unknown ? r.total : r.end;
            queue_success_report(m, total);
        }
    } else if (is_report) {
        handle_report(chunk);
        // Handed on when someone takes it; else the chunk keeps its
        // buffers for the next one read.
        const bool taken = channel || (on_incoming && !detached);
        if (taken && paths_belong(chunk)) {
            IncomingMessage m;
            static_cast<Chunk&>(m) = std::move(chunk);
            ready.push_back(std::move(m));
        }
    }
    if (ends && !is_report && !current.answered) {
        const int code = current.code != 0 ? current.code : 200;
        if (is_2xx(code) ? current.want_ok : current.want_error)
            queue_response(code);
    }
}

asio::awaitable<void> session_state::read_loop() {
    const auto self = shared_from_this();
    ++coroutines;
    IncomingChunk chunk;
    std::vector<IncomingMessage> ready;
    for (;;) {
        // Replies waiting to be written stop the reading, so a peer that
        // sends and never reads cannot grow them.
        while (!ended && reply_count >= options.max_queued_replies) {
            flush_replies(); // held ones too: the writer is what frees room
            co_await progress.wait();
        }
        if (ended)
            break;
        std::error_code ec;
        co_await transport->read_chunk_into(chunk, options.read_segment_bytes, ec);
        if (ec) {
            // Closed here, not by the peer: say so, and keep
            // operation_aborted for cancelled waits (receive_chunk).
            end(ec == asio::error::operation_aborted ? make_error_code(errc::session_closed) : ec);
            break;
        }
        last_traffic = clock::now();
        if (chunk.is_response()) {
            handle_response(chunk);
            continue;
        }
        ready.clear();
        handle_request(chunk, ready);
        bool delivered = true;
        if (channel) {
            for (auto& m : ready)
                if (!(delivered = co_await deliver(std::move(m), {})))
                    break;
        } else if (on_incoming && !detached) {
            for (auto& m : ready)
                on_incoming(std::move(m), {});
        }
        if (!delivered)
            break; // the queue was closed: the session object is gone
    }
    end(end_reason);
    // What was being received will not complete; then the end itself.
    ready.clear();
    assembler.finish(ready);
    bool delivered = true;
    for (auto& m : ready)
        if (!(delivered = co_await deliver(std::move(m), {})))
            break;
    if (delivered) {
        IncomingMessage none; // named: GCC 12 mishandles temporaries in co_await
        co_await deliver(std::move(none), end_reason);
    }
    --coroutines;
}

// ---- the writer ------------------------------------------------------------

asio::awaitable<bool> session_state::add_message_chunk(std::shared_ptr<outgoing_message> mp) {
    outgoing_message& m = *mp;
    if (m.final_sent)
        co_return false; // failed meanwhile: nothing more of it goes out
    const std::uint64_t start = m.next;
    std::string_view body;
    char flag = contflag::more;
    ByteRange range{start, start - 1, m.total};
    std::error_code failure;
    std::string why;
    if (m.abort_requested) {
        if (start == 1) {
            // Nothing of it went out: the peer need not hear of it.
            finish_message(m, 0, "aborted", errc::message_aborted);
            co_return false;
        }
        flag = contflag::aborted;
    } else if (m.message.source) {
        batch.bodies.emplace_back(options.chunk_size, '\0');
        std::string& buffer = batch.bodies.back();
        std::error_code read_ec;
        const auto n = co_await m.message.source(std::span<char>(buffer.data(), buffer.size()), read_ec);
        if (ended || m.final_sent)
            co_return false;
        const bool too_long = m.total != ByteRange::unknown && start - 1 + n > m.total;
        const bool too_short = n == 0 && m.total != ByteRange::unknown && start - 1 != m.total;
        if (read_ec || n > buffer.size() || too_long || too_short) {
            failure = read_ec ? read_ec : make_error_code(errc::invalid_argument);
            why = read_ec ? "the message's source failed: " + read_ec.message()
                          : "the message's source did not give the size announced";
            flag = contflag::aborted;
            batch.bodies.pop_back();
        } else {
            buffer.resize(n);
            body = buffer;
            const bool last = n == 0 || (m.total != ByteRange::unknown && start - 1 + n == m.total);
            if (last) {
                flag = contflag::complete;
                m.total = start - 1 + n;
            }
            range = ByteRange{start, start - 1 + n, m.total};
        }
        if (flag == contflag::aborted && start == 1) {
            finish_message(m, 0, why, failure);
            co_return false;
        }
    } else {
        const std::string_view data = m.body;
        const auto offset = static_cast<std::size_t>(start - 1);
        const std::size_t n = std::min(options.chunk_size, data.size() - offset);
        body = std::string_view(data).substr(offset, n);
        if (offset + n == data.size())
            flag = contflag::complete;
        range = ByteRange{start, start - 1 + n, m.total};
        batch.messages.push_back(mp); // the body is viewed, not copied
    }

    // The head is written straight into the batch's scratch, in the order
    // and form `serialize` writes (the fields were checked when queued).
    std::string tid = random_ident();
    if (end_line_collides(body, tid))
        tid = choose_transaction_id(body);
    std::string& head = batch.scratch.head;
    head.clear();
    head += "MSRP ";
    head += tid;
    head += " SEND\r\nTo-Path: ";
    head += to_path_text;
    head += "\r\nFrom-Path: ";
    head += from_path_text;
    head += "\r\nMessage-ID: ";
    head += m.id;
    if (m.message.failure_report) {
        head += "\r\nFailure-Report: ";
        head += *m.message.failure_report;
    }
    if (m.message.success_report) {
        head += "\r\nSuccess-Report: ";
        head += *m.message.success_report;
    }
    head += "\r\nByte-Range: ";
    range.append_to(head);
    for (const auto& h : m.message.headers) {
        head += "\r\n";
        head += h.name;
        head += ": ";
        head += h.value;
    }
    head += "\r\nContent-Type: ";
    head += m.message.content_type;
    head += "\r\n\r\n";
    char* tail = batch.scratch.tail.data();
    std::size_t tail_len = 0;
    tail[tail_len++] = '\r';
    tail[tail_len++] = '\n';
    for (int i = 0; i < 7; ++i)
        tail[tail_len++] = '-';
    std::memcpy(tail + tail_len, tid.data(), tid.size());
    tail_len += tid.size();
    tail[tail_len++] = flag;
    tail[tail_len++] = '\r';
    tail[tail_len++] = '\n';
    batch.scratch.tail_len = tail_len;
    batch.add_scratch(body);
    m.next = start + body.size();
    if (flag == contflag::more && !m.message.source) {
        queued_bytes -= body.size();
        m.queued_bytes -= body.size();
    }
    if (flag != contflag::more)
        m.all_sent = true;
    if (m.failure_mode != failure_report::no) {
        ++m.in_flight;
        pending_transaction t;
        t.message = mp;
        t.range = range;
        t.failure_mode = m.failure_mode;
        t.timeout_code = local_timeout_code(m.failure_mode);
        track(tid, std::move(t));
    }
    if (flag == contflag::aborted) {
        finish_message(m, 0, why.empty() ? std::string("aborted") : why,
                       failure ? failure : make_error_code(errc::message_aborted));
        co_return false;
    }
    if (m.all_sent) {
        queued_bytes -= m.queued_bytes;
        m.queued_bytes = 0;
        release_turn(m);
        check_settled(m);
    }
    co_return !m.all_sent;
}

asio::awaitable<void> session_state::fill_batch() {
    // Replies first, all of them: they are small and the peer waits for them.
    if (!reply_bytes.empty()) {
        batch.replies.swap(reply_bytes); // the buffers trade places: no allocation
        batch.bytes += batch.replies.size();
        reply_count = 0;
        progress.notify(); // the reader may wait for room
    }
    // Then the chunk queue and the messages take turns, a chunk each.
    while (batch.bytes < options.max_write_batch_bytes && !ended) {
        const bool have_chunks = !chunks.empty();
        const bool have_messages = !sending.empty();
        if (!have_chunks && !have_messages)
            break;
        if (have_chunks && (chunks_turn || !have_messages)) {
            chunks_turn = false;
            queued_chunk q = std::move(chunks.front());
            chunks.pop_front();
            queued_bytes -= q.bytes;
            batch.chunks.push_back(std::move(q.chunk));
            const Chunk& c = batch.chunks.back();
            serialize(c, batch.scratch); // checked when queued
            batch.add_scratch(c.data);
            if (c.is_request() && c.method != "REPORT") {
                pending_transaction t;
                t.on_response = std::move(q.on_response);
                t.internal = q.internal;
                t.failure_mode = failure_report_of(c);
                t.timeout_code = local_timeout_code(c);
                track(c.transaction_id, std::move(t));
            } else if (q.on_response) {
                // RFC 4975 §7.1.2: nobody answers a REPORT (nor a response).
                batch.after_write.emplace_back(c.transaction_id, std::move(q.on_response));
            }
            continue;
        }
        chunks_turn = true;
        auto m = sending.front();
        sending.pop_front();
        if (co_await add_message_chunk(m))
            sending.push_back(std::move(m));
    }
}

asio::awaitable<void> session_state::write_loop() {
    const auto self = shared_from_this();
    ++coroutines;
    while (!ended) {
        co_await fill_batch();
        if (ended)
            break;
        if (batch.empty()) {
            progress.notify(); // everything queued is out
            release_idle_buffers();
            co_await writer_wake.wait();
            continue;
        }
        batch.make_views();
        writing = true;
        std::error_code ec;
        co_await transport->write(batch.views, ec);
        writing = false;
        last_traffic = clock::now();
        if (!ec)
            for (const auto& m : batch.messages)
                if (m->all_sent)
                    release_body(*m);
        auto written = std::move(batch.after_write);
        batch.clear();
        progress.notify();
        if (ec)
            end(ec);
        // Their verdict: sent, or not (nothing else answers them).
        for (auto& [id, handler] : written)
            if (!detached)
                handler(ec ? local_response(id, 408, "the session ended before the chunk was sent")
                           : local_response(id, 200, {}));
        if (ec)
            break;
    }
    for (auto& [id, handler] : batch.after_write)
        if (!detached)
            handler(local_response(id, 408, "the session ended before the chunk was sent"));
    batch.clear();
    --coroutines;
}

void session_state::release_idle_buffers() {
    // A burst grows the write buffers to a batch's size; kept, every
    // session that ever had one would hold its peak for good. Freed when
    // the writer runs out of work, the memory goes back to the allocator
    // for whichever session bursts next. Buffers of everyday size stay.
    auto release = [](std::string& b) {
        if (b.empty() && b.capacity() > idle_buffer_bytes)
            std::string().swap(b);
    };
    release(batch.flat);
    release(batch.replies);
    release(reply_bytes);
}

// ---- timers ----------------------------------------------------------------

asio::awaitable<void> session_state::deadline_loop() {
    const auto self = shared_from_this();
    ++coroutines;
    while (!ended) {
        auto next = transactions.next_deadline();
        if (!report_deadlines.empty())
            next = std::min(next, report_deadlines.front().first);
        deadline_timer.expires_at(next);
        deadline_timer_at = next;
        co_await deadline_timer.async_wait(as_tuple_awaitable);
        if (ended)
            break;
        const auto now = clock::now();
        std::string id;
        pending_transaction t;
        while (!ended && transactions.take_expired(now, id, t)) {
            const auto response = local_response(id, t.timeout_code, {});
            complete_transaction(t, response, true);
        }
        while (!ended && !report_deadlines.empty() && report_deadlines.front().first <= now) {
            const auto m = std::move(report_deadlines.front().second);
            report_deadlines.pop_front();
            finish_message(*m, 408, "no success report came in time", asio::error::timed_out);
        }
        progress.notify();
    }
    --coroutines;
}

asio::awaitable<void> session_state::keepalive_loop() {
    const auto self = shared_from_this();
    ++coroutines;
    const auto interval = *options.keepalive_interval;
    while (!ended) {
        keepalive_timer.expires_after(interval);
        co_await keepalive_timer.async_wait(as_tuple_awaitable);
        if (ended || closing)
            break;
        if (clock::now() - last_traffic < interval)
            continue;
        // An empty SEND: the peer answers it and delivers nothing.
        Chunk probe = transport->make_chunk();
        probe.set_header("Keep-Alive", "yes");
        const std::weak_ptr<session_state> weak = self;
        queue_chunk(std::move(probe), [weak](const Chunk& response) {
            if (const auto st = weak.lock(); st && response.code == 408)
                st->end(asio::error::timed_out);
        }, true);
    }
    --coroutines;
}

} // namespace msrp::detail
