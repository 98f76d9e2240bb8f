#pragma once
/// \file
/// Named notifications from a sender with a data object, delivered to
/// observers on an executor (the notification system the seed's streams
/// use to talk to the application).
///
/// ```
/// msrp::NotificationCenter center(io.get_executor());
/// auto sub = center.add_observer([](const msrp::Notification& n) {
///     if (auto* got = n.data_as<msrp::ChatGotMessageData>())
///         std::cout << got->content << "\n";
/// }, msrp::notification::chat_got_message);
/// ```

#include <asio/any_io_executor.hpp>

#include <any>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace msrp {

/// One posted notification. `data` holds the typed data object of the
/// notification (see the `...Data` structs beside each poster);
/// `data_as<T>()` gives it, or nullptr when it is not a `T`.
struct Notification {
    std::string name;
    /// The object that posted it; only compared, never dereferenced here.
    const void* sender = nullptr;
    std::any data;

    template <class T>
    const T* data_as() const noexcept {
        return std::any_cast<T>(&data);
    }
};

using notification_observer = std::function<void(const Notification&)>;

namespace detail {
struct notification_hub;
}

/// Posts notifications and delivers them to the observers that match them
/// by name and sender.
///
/// `post` never calls an observer: it queues the notification and the
/// observers run later, from the executor, in the order of posting. So a
/// library object that posts while changing its state is never re-entered
/// by its observers half way through, and an observer may call back into
/// it. Observers added or removed while notifications are being delivered
/// take effect from the next notification.
///
/// Use it from its executor only. Destroying the center drops what is not
/// yet delivered; subscriptions may outlive it.
class NotificationCenter {
public:
    /// Ends an observation when destroyed or reset; movable.
    class Subscription {
    public:
        Subscription() = default;
        Subscription(Subscription&&) noexcept = default;
        Subscription& operator=(Subscription&& other) noexcept;
        ~Subscription();
        /// Stops the observer: it is not called again, even for
        /// notifications already posted.
        void reset() noexcept;
        explicit operator bool() const noexcept { return id_ != 0; }

    private:
        friend class NotificationCenter;
        Subscription(std::weak_ptr<detail::notification_hub> hub, std::size_t id) : hub_(std::move(hub)), id_(id) {}
        std::weak_ptr<detail::notification_hub> hub_;
        std::size_t id_ = 0;
    };

    explicit NotificationCenter(asio::any_io_executor executor);
    ~NotificationCenter();
    NotificationCenter(const NotificationCenter&) = delete;
    NotificationCenter& operator=(const NotificationCenter&) = delete;

    /// Observes the notifications named `name` (empty: every name) posted
    /// by `sender` (nullptr: any sender).
    [[nodiscard]] Subscription add_observer(notification_observer observer, std::string_view name = {},
                                            const void* sender = nullptr);

    /// Queues a notification for delivery on the executor.
    void post(std::string name, const void* sender, std::any data = {});

    /// Notifications posted and not yet delivered.
    std::size_t pending() const noexcept;
    const asio::any_io_executor& get_executor() const noexcept { return executor_; }

private:
    asio::any_io_executor executor_;
    std::shared_ptr<detail::notification_hub> hub_;
};

} // namespace msrp
