module Scn.Program

let first (xs: int list) = List.map (fun x -> x + 1) xs

let second (xs: int list) = xs

let Run () : string = "result: " + string (second (first [ 1; 2 ]))
