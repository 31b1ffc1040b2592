// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"

int main(int argc, char** argv) {
  return offload::cli::main_with_args(argc, argv);
}
