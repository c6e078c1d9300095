# Run by ctest (tests/install/CMakeLists.txt): installs the aotc build into a prefix, builds a copy
# of examples/kernel_library against it with Ninja, runs it, and checks the dependencies: a second
# build does nothing, an edited kernel header reruns aotc (which recompiles what includes it),
# and then nothing again.
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${output}")
  endif()
  set(output "${output}" PARENT_SCOPE)
endfunction()
function(expect text)
  if(NOT output MATCHES "${text}")
    message(FATAL_ERROR "expected '${text}' in:\n${output}")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
run("cmake --install" ${CMAKE_COMMAND} --install ${AOTC_BUILD_DIR} --prefix ${WORK_DIR}/prefix)
foreach(file bin/aotc lib/libaotc_runtime.so lib/libaotc_runtime.a include/aotc/runtime.h
             share/aotc/aotc_triton_helper.py lib/cmake/aotc/aotcConfig.cmake
             lib/cmake/aotc/aotcConfigVersion.cmake lib/cmake/aotc/aotcKernelLibrary.cmake)
  if(NOT EXISTS ${WORK_DIR}/prefix/${file})
    message(FATAL_ERROR "cmake --install did not install ${file}")
  endif()
endforeach()

file(COPY ${EXAMPLE_DIR}/ DESTINATION ${WORK_DIR}/src)
run("configure" ${CMAKE_COMMAND} -S ${WORK_DIR}/src -B ${WORK_DIR}/build -G Ninja
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DSCALE_TARGETS=gfx942)
run("build" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
expect("aotc build")
expect("lib/libscale_aotc.so \\(compiled\\)")
run("scale_example" ${WORK_DIR}/build/scale_example)
expect("2 variants, code objects embedded")
message(STATUS "scale_example: ${output}")

# SHARED: the family library, listed in the manifest, loadable from Python.
set(out ${WORK_DIR}/build/scale_kernels)
run("aotc verify" ${WORK_DIR}/prefix/bin/aotc verify ${out})
file(READ ${out}/manifest.json manifest)
if(NOT manifest MATCHES "\"lib/libscale_aotc.so\"")
  message(FATAL_ERROR "the manifest does not list lib/libscale_aotc.so:\n${manifest}")
endif()
find_program(PYTHON3 python3 REQUIRED)
# Newlines, not semicolons, between the statements: run()'s arguments are a CMake list.
run("aotc.load" ${CMAKE_COMMAND} -E env PYTHONPATH=${SOURCE_DIR}/python ${PYTHON3} -c
    "import aotc\nf = aotc.load('${out}').scale\nprint(f.embedded, [v.name for v in f.variants()])")
expect("True \\['scale.b64', 'scale.b256'\\]")

run("second build" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
expect("no work to do")

file(APPEND ${WORK_DIR}/src/thread_index.h "// edited\n")
run("build after a header edit" ${CMAKE_COMMAND} --build ${WORK_DIR}/build -- -v)
expect("2 compiled, 0 cached")
# The code objects came out the same, so the generated files did too: the library is cached.
expect("lib/libscale_aotc.so \\(cached\\)")
run("build after that" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
expect("no work to do")

# The installed aotc links --shared-lib libraries to the runtime installed beside it, without
# --runtime-include-dir or --runtime-library-dir (its RUNPATH names the prefix's lib folder).
run("installed aotc --shared-lib" ${WORK_DIR}/prefix/bin/aotc build ${WORK_DIR}/src/kernels.json
    --targets gfx942 -o ${WORK_DIR}/direct --shared-lib)
find_program(READELF readelf REQUIRED)
run("readelf" ${READELF} -d ${WORK_DIR}/direct/lib/libscale_aotc.so)
expect("RUNPATH.*\\$ORIGIN:${WORK_DIR}/prefix/lib")
