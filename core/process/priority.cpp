// SPDX-License-Identifier: MIT
#include "process/priority.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace offload::process {

void lower_this_thread_priority(int increment) {
  const auto thread = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  const int current = ::getpriority(PRIO_PROCESS, thread);
  if (current == -1 && errno != 0) {
    return;
  }
  ::setpriority(PRIO_PROCESS, thread, current + increment);
}

} // namespace offload::process
