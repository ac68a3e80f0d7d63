module App.Program

open System

let classify (n: int) : string =
    match n % 3, n > 2 with
    | 0, _ -> "div3"
    | 1, false -> "small-one"
    | _, true -> "big"
    | _ -> "rest"

let Run () : string =
    String.Join(" ", [ classify 0; classify 1; classify 5 ])
