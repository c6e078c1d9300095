// Goes through the generated launcher as far as it can without device memory: an empty launch
// (n = 0), which the launcher refuses on a GPU before launching anything, and which without a
// GPU (CI) stops at the driver. Either way it shows the project configured, built and linked
// against the installed aotc, with the code objects embedded.
#include <aotc/scale_launcher.h>

#include <cstdio>

namespace scale = aotc::gen::scale;

int main() {
  std::printf("scale_example: %zu variants, code objects %s\n", scale::variants().size(),
              scale::embedded() ? "embedded" : "read from files");
  scale::Key key{/*block*/ 256};
  scale::Args args;
  args.a = 2.0f;
  args.n = 0;
  aotc::gen::Status status = scale::launch(nullptr, key, args);
  if (status.code() == AOTC_ERROR_NO_DRIVER || status.code() == AOTC_ERROR_NO_DEVICE) {
    std::printf("scale_example: no GPU here: %s\n", status.message().c_str());
    return 0;
  }
  if (status.code() == AOTC_ERROR_INVALID_ARGUMENT) {
    std::printf("scale_example: the launcher refused the empty launch: %s\n",
                status.message().c_str());
    return 0;
  }
  std::fprintf(stderr, "scale_example: unexpected: %s\n",
               status ? "an empty launch went through" : status.message().c_str());
  return 1;
}
