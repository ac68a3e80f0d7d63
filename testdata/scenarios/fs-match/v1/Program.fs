module App.Program

open System

let classify (n: int) : string =
    match n with
    | 0 -> "zero"
    | 1 -> "one"
    | _ -> "many"

let Run () : string =
    String.Join(" ", [ classify 0; classify 1; classify 5 ])
