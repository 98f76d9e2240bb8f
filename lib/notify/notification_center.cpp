#include <msrp/notify/notification_center.hpp>

#include <asio/post.hpp>

#include <deque>
#include <vector>

namespace msrp {
namespace detail {

struct notification_hub : std::enable_shared_from_this<notification_hub> {
    struct observer_entry {
        std::size_t id;
        std::string name;
        const void* sender;
        notification_observer call;
        bool removed = false;
    };

    explicit notification_hub(asio::any_io_executor ex) : executor(std::move(ex)) {}

    void schedule() {
        if (scheduled)
            return;
        scheduled = true;
        asio::post(executor, [weak = weak_from_this()] {
            if (const auto hub = weak.lock())
                hub->drain();
        });
    }

    void drain() {
        scheduled = false;
        // Only what was queued before this turn: notifications that
        // observers post now go in the next turn, so a chain of them
        // cannot keep the executor from other work.
        std::size_t count = queue.size();
        while (count-- > 0 && !queue.empty()) {
            const Notification n = std::move(queue.front());
            queue.pop_front();
            std::vector<std::shared_ptr<observer_entry>> matching;
            for (const auto& o : observers)
                if ((o->name.empty() || o->name == n.name) && (!o->sender || o->sender == n.sender))
                    matching.push_back(o);
            for (const auto& o : matching)
                if (!o->removed)
                    o->call(n);
        }
        if (!queue.empty())
            schedule();
    }

    void remove(std::size_t id) noexcept {
        for (auto it = observers.begin(); it != observers.end(); ++it) {
            if ((*it)->id == id) {
                (*it)->removed = true;
                observers.erase(it);
                return;
            }
        }
    }

    asio::any_io_executor executor;
    std::vector<std::shared_ptr<observer_entry>> observers;
    std::deque<Notification> queue;
    std::size_t next_id = 1;
    bool scheduled = false;
};

} // namespace detail

NotificationCenter::Subscription& NotificationCenter::Subscription::operator=(Subscription&& other) noexcept {
    if (this != &other) {
        reset();
        hub_ = std::move(other.hub_);
        id_ = other.id_;
        other.id_ = 0;
    }
    return *this;
}

NotificationCenter::Subscription::~Subscription() { reset(); }

void NotificationCenter::Subscription::reset() noexcept {
    if (id_ == 0)
        return;
    if (const auto hub = hub_.lock())
        hub->remove(id_);
    hub_.reset();
    id_ = 0;
}

NotificationCenter::NotificationCenter(asio::any_io_executor executor)
    : executor_(executor), hub_(std::make_shared<detail::notification_hub>(std::move(executor))) {}

NotificationCenter::~NotificationCenter() = default;

NotificationCenter::Subscription NotificationCenter::add_observer(notification_observer observer,
                                                                  std::string_view name, const void* sender) {
    const std::size_t id = hub_->next_id++;
    hub_->observers.push_back(std::make_shared<detail::notification_hub::observer_entry>(
        detail::notification_hub::observer_entry{id, std::string(name), sender, std::move(observer)}));
    return Subscription(hub_, id);
}

void NotificationCenter::post(std::string name, const void* sender, std::any data) {
    hub_->queue.push_back(Notification{std::move(name), sender, std::move(data)});
    hub_->schedule();
}

std::size_t NotificationCenter::pending() const noexcept { return hub_->queue.size(); }

} // namespace msrp
