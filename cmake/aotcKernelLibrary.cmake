# aotc_add_kernel_library(<name> MATRIX <file> [TARGETS <target>...] [EMBED] [SHARED]
#                         [OUTPUT_DIR <dir>])
#
# Runs `aotc build <file>` at build time into OUTPUT_DIR (default: <current binary dir>/<name>)
# and makes <name> a library of the generated launchers (docs/LAUNCHERS.md) linked to
# aotc::runtime; with EMBED the code objects are linked in too (<kernel>_embed.S; the project
# enables ASM), else the launchers read them at run time from the directory the app names
# (aotc::gen::set_kernel_dir or $AOTC_KERNEL_DIR: OUTPUT_DIR, or wherever it is shipped).
#
# Dependencies are real: aotc writes a depfile naming the matrix, every kernel source and its
# include closure, so editing a header reruns aotc (which recompiles only the objects that
# include it, from its cache), and a build after no edit runs nothing. The launchers are
# byproducts aotc rewrites only when their text changes, so their objects rebuild only then.
# The matrix is read at configure time for the kernels with launch rules (the launcher files);
# editing it re-runs CMake.
#
# SHARED also runs `aotc build --shared-lib` with the project's C++ compiler and aotc::runtime:
# OUTPUT_DIR/lib/lib<kernel>_aotc.so per kernel family (launcher, C ABI, embedded code objects),
# each also an imported target <name>_<kernel> to link or install. aotc builds these libraries
# rather than a CMake SHARED target because what a user of them expects is OUTPUT_DIR as a whole:
# `aotc.load(OUTPUT_DIR)` in Python opens the libraries the manifest lists, `aotc verify` and
# `aotc merge` check them, and shipping out/ ships them; aotc caches each by content, so a rebuild
# that changes no generated file compiles nothing.
cmake_minimum_required(VERSION 3.20)  # DEPFILE for add_custom_command with Ninja and Makefiles

function(aotc_add_kernel_library name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "EMBED;SHARED" "MATRIX;OUTPUT_DIR" "TARGETS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "aotc_add_kernel_library(${name}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_MATRIX)
    message(FATAL_ERROR "aotc_add_kernel_library(${name}): MATRIX <file> is required")
  endif()
  get_filename_component(matrix "${arg_MATRIX}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${matrix}")
    message(FATAL_ERROR "aotc_add_kernel_library(${name}): MATRIX ${matrix} does not exist")
  endif()
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${name}")
  if(arg_OUTPUT_DIR)
    get_filename_component(out "${arg_OUTPUT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  endif()
  if(arg_EMBED)
    get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
    if(NOT "ASM" IN_LIST languages)
      message(FATAL_ERROR "aotc_add_kernel_library(${name}): EMBED assembles <kernel>_embed.S: "
                          "add ASM to project(... LANGUAGES) or call enable_language(ASM)")
    endif()
  endif()

  # The kernels with a launch rule each get <kernel>_launcher.h/.cc, <kernel>_embed.S and the C
  # ABI, <kernel>_capi.h/.cc: every file aotc writes is a byproduct, so `ninja -t cleandead` and
  # the generators that need to know what a custom command produces see them all.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${matrix}")
  file(READ "${matrix}" text)
  string(JSON count ERROR_VARIABLE problem LENGTH "${text}" kernels)
  if(problem)
    message(FATAL_ERROR "aotc_add_kernel_library(${name}): ${matrix}: ${problem}")
  endif()
  set(gen "${out}/include/aotc")
  set(byproducts)
  set(sources)
  set(embeds)
  set(families)
  if(count GREATER 0)
    math(EXPR last "${count} - 1")
    foreach(i RANGE ${last})
      string(JSON kernel GET "${text}" kernels ${i} name)
      string(JSON rule ERROR_VARIABLE no_rule GET "${text}" kernels ${i} launch)
      if(no_rule)
        continue()
      endif()
      list(APPEND byproducts "${gen}/${kernel}_launcher.h" "${gen}/${kernel}_launcher.cc"
                             "${gen}/${kernel}_embed.S" "${gen}/${kernel}_capi.h"
                             "${gen}/${kernel}_capi.cc")
      list(APPEND sources "${gen}/${kernel}_launcher.cc")
      list(APPEND families "${kernel}")
      list(APPEND embeds "${gen}/${kernel}_embed.S")
    endforeach()
  endif()
  if(NOT sources)
    message(FATAL_ERROR "aotc_add_kernel_library(${name}): ${matrix} has no kernel with a "
                        "\"launch\" rule, so there is no launcher to build a library of")
  endif()

  set(target_args)
  if(arg_TARGETS)
    string(REPLACE ";" "," targets "${arg_TARGETS}")
    set(target_args --targets ${targets})
  endif()
  set(shared_args)
  if(arg_SHARED)
    foreach(kernel ${families})
      list(APPEND byproducts "${out}/lib/lib${kernel}_aotc.so")
    endforeach()
    # The runtime this project links, not necessarily the one aotc was built with.
    get_target_property(runtime_include aotc::runtime INTERFACE_INCLUDE_DIRECTORIES)
    list(GET runtime_include 0 runtime_include)
    set(shared_args --shared-lib --cxx "${CMAKE_CXX_COMPILER}"
                    --runtime-include-dir "${runtime_include}"
                    --runtime-library-dir "$<TARGET_FILE_DIR:aotc::runtime>")
  endif()
  add_custom_command(
    OUTPUT "${out}/manifest.json"
    BYPRODUCTS ${byproducts}
    COMMAND aotc::aotc build "${matrix}" -o "${out}" ${target_args} ${shared_args}
            --depfile "${out}.d"
    DEPENDS "${matrix}" aotc::aotc
    DEPFILE "${out}.d"
    COMMENT "aotc build ${arg_MATRIX} -> ${out}"
    VERBATIM)
  add_custom_target(${name}_aotc_build DEPENDS "${out}/manifest.json")

  if(arg_EMBED)
    list(APPEND sources ${embeds})
    # .incbin'ed code objects are invisible to the dependency scanner; manifest.json changes
    # whenever one does.
    set_source_files_properties(${embeds} PROPERTIES OBJECT_DEPENDS "${out}/manifest.json")
  endif()
  # An object library: its objects go straight into whatever links it, so the embedded table's
  # weak reference is resolved (a static archive member would not be pulled in).
  add_library(${name} OBJECT ${sources})
  add_dependencies(${name} ${name}_aotc_build)
  target_include_directories(${name} PUBLIC "${out}/include")
  target_link_libraries(${name} PUBLIC aotc::runtime)
  target_compile_features(${name} PUBLIC cxx_std_17)

  if(arg_SHARED)
    foreach(kernel ${families})
      add_library(${name}_${kernel} SHARED IMPORTED GLOBAL)
      set_target_properties(${name}_${kernel} PROPERTIES
        IMPORTED_LOCATION "${out}/lib/lib${kernel}_aotc.so"
        IMPORTED_NO_SONAME ON
        INTERFACE_INCLUDE_DIRECTORIES "${out}/include"
        INTERFACE_LINK_LIBRARIES aotc::runtime)
      add_dependencies(${name}_${kernel} ${name}_aotc_build)
    endforeach()
  endif()
endfunction()
