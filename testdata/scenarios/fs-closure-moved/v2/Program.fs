module Scn.Program

let first (xs: int list) = xs

let second (xs: int list) = List.map (fun x -> x + 1) xs

let Run () : string = "moved: " + string (second (first [ 1; 2 ]))
