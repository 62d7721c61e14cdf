#include "server/preview/port_watch.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace benchtop {
namespace {

using Ports = PortWatch::Ports;

// Answers the watch's questions with what the test last said each project listens on, and counts
// the questions.
class ScriptedProbe {
 public:
  void set(const std::string& project, std::optional<Ports> ports) {
    std::lock_guard lock(mutex_);
    answers_[project] = std::move(ports);
  }
  int asked(const std::string& project) const {
    std::lock_guard lock(mutex_);
    auto it = asked_.find(project);
    return it == asked_.end() ? 0 : it->second;
  }
  PortWatch::Probe probe() {
    return [this](const std::string& project) -> std::optional<Ports> {
      std::lock_guard lock(mutex_);
      ++asked_[project];
      auto it = answers_.find(project);
      return it == answers_.end() ? std::nullopt : it->second;
    };
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::optional<Ports>> answers_;
  std::map<std::string, int> asked_;
};

// What one listener was told, call by call.
struct Heard {
  std::vector<std::pair<Ports, Ports>> calls;  // (opened, listening)
  PortWatch::Listener listener() {
    return [this](const Ports& opened, const Ports& listening) {
      calls.emplace_back(opened, listening);
    };
  }
};

class PortWatchTest : public ::testing::Test {
 protected:
  ScriptedProbe probe_;
  PortWatch watch_{probe_.probe(), std::chrono::milliseconds(0)};
};

TEST_F(PortWatchTest, PortsListeningAtSubscriptionAreTheBaselineNotNews) {
  probe_.set("p1", Ports{8000});
  Heard heard;
  auto subscription = watch_.subscribe("p1", heard.listener());
  watch_.poll_once();
  EXPECT_TRUE(heard.calls.empty());
}

TEST_F(PortWatchTest, AnOpenedPortIsAnnouncedOnce) {
  probe_.set("p1", Ports{8000});
  Heard heard;
  auto subscription = watch_.subscribe("p1", heard.listener());
  probe_.set("p1", Ports{5173, 8000, 3000});  // unsorted, as a sandbox may answer
  watch_.poll_once();
  ASSERT_EQ(heard.calls.size(), 1u);
  EXPECT_EQ(heard.calls[0].first, (Ports{3000, 5173}));
  EXPECT_EQ(heard.calls[0].second, (Ports{3000, 5173, 8000}));
  watch_.poll_once();
  watch_.poll_once();
  EXPECT_EQ(heard.calls.size(), 1u) << "a port still open is not news";
}

TEST_F(PortWatchTest, AClosedPortThatReopensIsAnnouncedAgain) {
  probe_.set("p1", Ports{});
  Heard heard;
  auto subscription = watch_.subscribe("p1", heard.listener());
  probe_.set("p1", Ports{8000});
  watch_.poll_once();
  probe_.set("p1", Ports{});
  watch_.poll_once();  // a close alone is not announced
  ASSERT_EQ(heard.calls.size(), 1u);
  probe_.set("p1", Ports{8000});
  watch_.poll_once();
  ASSERT_EQ(heard.calls.size(), 2u);
  EXPECT_EQ(heard.calls[1].first, (Ports{8000}));
}

TEST_F(PortWatchTest, ASandboxThatCannotBeAskedListensOnNothing) {
  probe_.set("p1", Ports{8000});
  EXPECT_EQ(watch_.listening("p1"), (Ports{8000}));
  probe_.set("p1", std::nullopt);
  EXPECT_TRUE(watch_.listening("p1").empty());

  Heard heard;
  auto subscription = watch_.subscribe("p1", heard.listener());
  watch_.poll_once();
  EXPECT_TRUE(heard.calls.empty());
  // The sandbox comes back with a server in it: news, counted from "nothing".
  probe_.set("p1", Ports{8000});
  watch_.poll_once();
  ASSERT_EQ(heard.calls.size(), 1u);
  EXPECT_EQ(heard.calls[0].first, (Ports{8000}));
  // It stops (suspended, destroyed): nothing is announced, and the port is news again later.
  probe_.set("p1", std::nullopt);
  watch_.poll_once();
  probe_.set("p1", Ports{8000});
  watch_.poll_once();
  EXPECT_EQ(heard.calls.size(), 2u);
}

TEST_F(PortWatchTest, AnEndedSubscriptionIsNeitherCalledNorAsked) {
  probe_.set("p1", Ports{});
  Heard heard;
  auto subscription = watch_.subscribe("p1", heard.listener());
  const int asked_before = probe_.asked("p1");
  subscription.reset();
  probe_.set("p1", Ports{8000});
  watch_.poll_once();
  EXPECT_TRUE(heard.calls.empty());
  EXPECT_EQ(probe_.asked("p1"), asked_before) << "a project nobody watches is still asked";

  // The same through the destructor.
  Heard other;
  { auto scoped = watch_.subscribe("p1", other.listener()); }
  probe_.set("p1", Ports{8000, 9000});
  watch_.poll_once();
  EXPECT_TRUE(other.calls.empty());
}

TEST_F(PortWatchTest, OnlyTheProjectWhosePortOpenedIsTold) {
  probe_.set("p1", Ports{});
  probe_.set("p2", Ports{});
  Heard first, second;
  auto a = watch_.subscribe("p1", first.listener());
  auto b = watch_.subscribe("p2", second.listener());
  probe_.set("p2", Ports{4000});
  watch_.poll_once();
  EXPECT_TRUE(first.calls.empty());
  ASSERT_EQ(second.calls.size(), 1u);
  EXPECT_EQ(second.calls[0].first, (Ports{4000}));
}

TEST_F(PortWatchTest, TwoSubscribersOfOneProjectAreBothTold) {
  probe_.set("p1", Ports{});
  Heard first, second;
  auto a = watch_.subscribe("p1", first.listener());
  auto b = watch_.subscribe("p1", second.listener());
  probe_.set("p1", Ports{8000});
  const int asked_before = probe_.asked("p1");
  watch_.poll_once();
  EXPECT_EQ(probe_.asked("p1"), asked_before + 1) << "one project is asked once per poll";
  ASSERT_EQ(first.calls.size(), 1u);
  ASSERT_EQ(second.calls.size(), 1u);

  // One of them leaves; the other still hears.
  a.reset();
  probe_.set("p1", Ports{8000, 9000});
  watch_.poll_once();
  EXPECT_EQ(first.calls.size(), 1u);
  ASSERT_EQ(second.calls.size(), 2u);
  EXPECT_EQ(second.calls[1].first, (Ports{9000}));
}

TEST_F(PortWatchTest, ALaterSubscriberOfAWatchedProjectSharesItsLastLook) {
  probe_.set("p1", Ports{});
  Heard first, second;
  auto a = watch_.subscribe("p1", first.listener());
  // The port opens between the last poll and the second subscription: news to both.
  probe_.set("p1", Ports{8000});
  auto b = watch_.subscribe("p1", second.listener());
  watch_.poll_once();
  EXPECT_EQ(first.calls.size(), 1u);
  EXPECT_EQ(second.calls.size(), 1u);
}

TEST_F(PortWatchTest, AListenerMayEndItsOwnSubscription) {
  probe_.set("p1", Ports{});
  int calls = 0;
  PortWatch::Subscription self;
  self = watch_.subscribe("p1", [&](const Ports&, const Ports&) {
    ++calls;
    self.reset();  // from inside the callback: must not deadlock
  });
  probe_.set("p1", Ports{8000});
  watch_.poll_once();
  EXPECT_EQ(calls, 1);
  probe_.set("p1", Ports{8000, 9000});
  watch_.poll_once();
  EXPECT_EQ(calls, 1);
}

TEST_F(PortWatchTest, AListenerMaySubscribeFromItsCallback) {
  probe_.set("p1", Ports{});
  Heard later;
  bool second_started = false;
  PortWatch::Subscription first, second;
  first = watch_.subscribe("p1", [&](const Ports&, const Ports&) {
    if (!second_started) {
      second_started = true;
      second = watch_.subscribe("p1", later.listener());
    }
  });
  probe_.set("p1", Ports{8000});
  watch_.poll_once();
  EXPECT_TRUE(second_started);
  EXPECT_TRUE(later.calls.empty());
  probe_.set("p1", Ports{8000, 9000});
  watch_.poll_once();
  ASSERT_EQ(later.calls.size(), 1u);
  EXPECT_EQ(later.calls[0].first, (Ports{9000}));
}

TEST(PortWatchThreadTest, StopsWithoutWaitingForItsInterval) {
  // A watch with a thread and a long interval is destroyed at once: the destructor wakes it.
  const auto begin = std::chrono::steady_clock::now();
  {
    PortWatch watch([](const std::string&) { return std::optional<Ports>(Ports{}); },
                    std::chrono::hours(1));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(30));
}

}  // namespace
}  // namespace benchtop
