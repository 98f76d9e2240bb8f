#include <msrp/protocol/iscomposing_state.hpp>

#include <algorithm>
#include <cstdint>
#include <utility>

namespace msrp {

namespace {

using time_point = std::chrono::steady_clock::time_point;

// `t + d`, saturating at the clock's end: a peer may announce a refresh of
// up to 2^32-1 s, and a test may start its fake clock anywhere.
time_point add_saturating(time_point t, std::chrono::seconds d) {
    if (d <= std::chrono::seconds::zero())
        return t;
    const auto room = time_point::max() - t;
    if (std::chrono::duration_cast<std::chrono::seconds>(room) <= d)
        return time_point::max();
    return t + d;
}

} // namespace

time_point composing_sender::refresh_due() const {
    // A tenth of the interval early (at least a second, when the interval
    // allows): the repeat reaches the receiver before the refresh it
    // announced runs out, so "is typing" does not blink off on the way.
    const auto interval = timing_.active_refresh;
    const auto lead = interval > std::chrono::seconds(1) ? std::max(interval / 10, std::chrono::seconds(1))
                                                          : std::chrono::seconds(0);
    return add_saturating(last_active_sent_, interval - lead);
}

composing_sender::composing_sender(iscomposing_timing timing, std::string content_type)
    : timing_(timing), content_type_(std::move(content_type)) {}

IsComposing composing_sender::active_document() const {
    IsComposing doc;
    doc.state = composing_state::active;
    doc.content_type = content_type_;
    // The schema's refresh is a positive integer: with a zero (or
    // negative) interval configured, announce none.
    if (timing_.active_refresh.count() > 0)
        doc.refresh = static_cast<std::uint32_t>(
            std::min<std::chrono::seconds::rep>(timing_.active_refresh.count(), UINT32_MAX));
    return doc;
}

std::optional<IsComposing> composing_sender::typed(time_point now) {
    last_typed_ = now;
    if (state_ == composing_state::idle) {
        state_ = composing_state::active;
        last_active_sent_ = now;
        return active_document();
    }
    // RFC 3994 §3.2: while active, only the refresh repeats the document.
    if (now >= refresh_due()) {
        last_active_sent_ = now;
        return active_document();
    }
    return std::nullopt;
}

std::optional<IsComposing> composing_sender::message_sent([[maybe_unused]] time_point now) {
    // RFC 3994 §3.2/§3.3: the receiver goes idle on the message itself.
    state_ = composing_state::idle;
    return std::nullopt;
}

std::optional<IsComposing> composing_sender::tick(time_point now) {
    if (state_ == composing_state::idle)
        return std::nullopt;
    if (now >= add_saturating(last_typed_, timing_.idle_timeout)) {
        state_ = composing_state::idle;
        return IsComposing{};
    }
    if (now >= refresh_due()) {
        last_active_sent_ = now;
        return active_document();
    }
    return std::nullopt;
}

std::optional<time_point> composing_sender::next_deadline() const {
    if (state_ == composing_state::idle)
        return std::nullopt;
    return std::min(add_saturating(last_typed_, timing_.idle_timeout), refresh_due());
}

composing_receiver::composing_receiver(iscomposing_timing timing) : timing_(timing) {}

bool composing_receiver::received(const IsComposing& doc, time_point now) {
    const composing_state before = state_;
    if (doc.state == composing_state::idle) {
        state_ = composing_state::idle;
        content_type_.clear();
        return before != state_;
    }
    // RFC 3994 §3.3: the active state lasts for the refresh interval the
    // document announces, else for the default; a new one restarts it.
    const std::chrono::seconds lifetime =
        doc.refresh && *doc.refresh > 0 ? std::chrono::seconds(*doc.refresh) : timing_.receiver_default_timeout;
    const bool changed = before != composing_state::active || content_type_ != doc.content_type;
    state_ = composing_state::active;
    expires_ = add_saturating(now, lifetime);
    content_type_ = doc.content_type;
    return changed;
}

bool composing_receiver::message_received([[maybe_unused]] time_point now) {
    const bool changed = state_ == composing_state::active;
    state_ = composing_state::idle;
    content_type_.clear();
    return changed;
}

bool composing_receiver::tick(time_point now) {
    if (state_ == composing_state::idle || now < expires_)
        return false;
    state_ = composing_state::idle;
    content_type_.clear();
    return true;
}

std::optional<time_point> composing_receiver::next_deadline() const {
    if (state_ == composing_state::idle)
        return std::nullopt;
    return expires_;
}

} // namespace msrp
