module Scn.Program

let first (xs: int list) = xs

let second (xs: int list) = xs

let Run () : string = "in run: " + string (List.map (fun x -> x - 1) (second (first [ 1; 2 ])))
