# CMake helpers for programs built on `aotc build` outputs (generated launcher + code objects):
# the pa_decode GPU test here and examples/decode_step.

set(AOTC_OUTPUTS_HELPER_DIR ${CMAKE_CURRENT_LIST_DIR})

# aotc_add_build(<out dir> <matrix> <kernel> [FLAG <extra flag>] [TARGETS <comma-separated targets>])
# In the aotc build: a custom command that runs the aotc binary on <matrix> into <out dir> and
# declares the files a program built on <kernel>'s launcher needs (<out>/manifest.json,
# <out>/include/aotc/...) as its outputs. With
# FLAG, a copy of the matrix with the flag added to every kernel's extra_flags is built instead
# (derive_matrix.py; needs Python 3). Every build shares one aotc cache in the build tree and runs
# in the Ninja pool `aotc_outputs` (depth 1), so two programs built on the same variants compile
# them once: the second build finds them in the cache.
function(aotc_add_build out matrix kernel)
  cmake_parse_arguments(PARSE_ARGV 3 arg "" "FLAG;TARGETS" "")
  get_property(pools GLOBAL PROPERTY JOB_POOLS)
  if(NOT pools MATCHES "aotc_outputs=")
    set_property(GLOBAL APPEND PROPERTY JOB_POOLS aotc_outputs=1)
  endif()
  file(GLOB_RECURSE kernel_sources CONFIGURE_DEPENDS ${aotc_SOURCE_DIR}/kernels/*)
  set(gen ${out}/include/aotc)
  set(built ${matrix})
  set(derive)
  if(arg_FLAG)
    find_package(Python3 REQUIRED COMPONENTS Interpreter)
    set(built ${out}.matrix.json)
    set(derive COMMAND ${Python3_EXECUTABLE} ${AOTC_OUTPUTS_HELPER_DIR}/derive_matrix.py ${matrix} ${built}
                       --flag=${arg_FLAG})
  endif()
  set(target_args)
  if(arg_TARGETS)
    set(target_args --targets ${arg_TARGETS})
  endif()
  # manifest.json changes whenever a code object does; the embedding assembly depends on it
  # (its .incbin'ed files, found through -I<out>/include like the launcher's headers, are
  # invisible to the dependency scanner).
  add_custom_command(
    OUTPUT ${out}/manifest.json ${gen}/${kernel}_launcher.h
           ${gen}/${kernel}_launcher.cc ${gen}/${kernel}_embed.S
    ${derive}
    COMMAND aotc build ${built} -o ${out} ${target_args} --cache-dir ${CMAKE_BINARY_DIR}/aotc-cache
    DEPENDS aotc ${matrix} ${AOTC_OUTPUTS_HELPER_DIR}/derive_matrix.py ${kernel_sources}
    JOB_POOL aotc_outputs
    COMMENT "aotc build ${matrix} ${arg_FLAG} -> ${out}"
    VERBATIM)
  set_source_files_properties(${gen}/${kernel}_embed.S PROPERTIES OBJECT_DEPENDS ${out}/manifest.json)
endfunction()
