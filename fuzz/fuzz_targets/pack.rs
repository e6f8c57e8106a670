#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| plan_lint::fuzzing::pack(data));
