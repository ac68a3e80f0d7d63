// Part of the 20-file sample for the watch latency benchmark: edit compute and save.
module FsApp20.Calculator

let compute () =
    6 * 7
