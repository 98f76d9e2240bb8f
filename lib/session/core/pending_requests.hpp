#pragma once
// The requests a session sent and still waits to hear about, in the order
// they were sent. With one timeout for all, that is also the order of their
// deadlines, and answers come mostly in that order too: the entries sit in
// one queue, answered ones are dropped from its front, and a transaction id
// leads to its entry through a map of small slots. Internal header.

#include <msrp/detail/ident_map.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace msrp::detail {

template <class Request>
class pending_requests {
public:
    using clock = std::chrono::steady_clock;

    /// Adds a request sent now. A request still pending under the same
    /// transaction id can no longer be told apart from it: it is taken out
    /// and returned, for the caller to give its verdict.
    std::optional<Request> add(std::string_view transaction_id, clock::time_point deadline, Request request) {
        std::optional<Request> replaced;
        if (const auto* seq = index_.find(transaction_id)) {
            entry& earlier = at(*seq);
            replaced = std::move(earlier.request);
            earlier.open = false;
        }
        index_.insert_or_assign(transaction_id, front_seq_ + order_.size());
        order_.push_back(entry{deadline, std::string(transaction_id), true, std::move(request)});
        compact_if_sparse();
        return replaced;
    }

    bool contains(std::string_view transaction_id) const noexcept { return index_.contains(transaction_id); }

    /// Moves the request answered by `transaction_id` into `out`; false when
    /// none waits under it (late, unknown, or already given its verdict).
    bool take(std::string_view transaction_id, Request& out) {
        std::uint64_t seq = 0;
        if (!index_.take(transaction_id, seq))
            return false;
        entry& e = at(seq);
        out = std::move(e.request);
        e.open = false;
        return true;
    }

    /// Drops answered entries from the front, and open ones for which
    /// `settled(request)` says no answer matters any more.
    template <class Settled>
    void trim(Settled&& settled) {
        while (!order_.empty()) {
            entry& e = order_.front();
            if (e.open) {
                if (!settled(e.request))
                    return;
                index_.erase(e.transaction_id);
            }
            pop_front();
        }
    }

    /// The deadline of the first request still waiting, or max().
    clock::time_point next_deadline() {
        drop_answered_front();
        return order_.empty() ? clock::time_point::max() : order_.front().deadline;
    }

    /// Takes out the first request whose deadline is at or before `now`, in
    /// sending order; false when there is none.
    bool take_expired(clock::time_point now, std::string& transaction_id, Request& out) {
        drop_answered_front();
        if (order_.empty() || order_.front().deadline > now)
            return false;
        entry& e = order_.front();
        index_.erase(e.transaction_id);
        transaction_id = std::move(e.transaction_id);
        out = std::move(e.request);
        pop_front();
        return true;
    }

    /// Calls `f(transaction_id, request)` for every request still waiting,
    /// in sending order.
    template <class F>
    void for_each(F&& f) const {
        for (const auto& e : order_)
            if (e.open)
                f(std::string_view(e.transaction_id), e.request);
    }

    /// Requests still waiting.
    std::size_t size() const noexcept { return index_.size(); }
    /// Entries kept, answered ones not yet dropped included.
    std::size_t entries() const noexcept { return order_.size(); }
    bool empty() const noexcept { return index_.empty(); }
    void clear() noexcept {
        order_.clear();
        index_.clear();
        front_seq_ = 0;
    }

private:
    struct entry {
        clock::time_point deadline;
        std::string transaction_id;
        bool open; ///< still waiting (else answered, its request moved out)
        Request request;
    };

    entry& at(std::uint64_t seq) { return order_[static_cast<std::size_t>(seq - front_seq_)]; }

    void pop_front() {
        order_.pop_front();
        ++front_seq_;
    }

    void drop_answered_front() {
        while (!order_.empty() && !order_.front().open)
            pop_front();
    }

    void compact_if_sparse() {
        // A request that is never answered holds the front until its
        // deadline, and everything answered behind it would stay queued:
        // when most entries are answered ones, they go and the rest are
        // numbered again, so memory follows what is really waiting.
        if (order_.size() < 1024 || order_.size() < 4 * index_.size())
            return;
        std::deque<entry> kept;
        for (auto& e : order_) {
            if (!e.open)
                continue;
            *index_.find(e.transaction_id) = kept.size();
            kept.push_back(std::move(e));
        }
        order_ = std::move(kept);
        front_seq_ = 0;
    }

    std::deque<entry> order_;
    ident_map<std::uint64_t> index_; ///< transaction id -> sequence number
    std::uint64_t front_seq_ = 0;    ///< sequence number of order_.front()
};

} // namespace msrp::detail
