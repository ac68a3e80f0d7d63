module Scn.Program

let Run () : string =
    string (List.map (fun x -> x + 1) [ 1; 2 ])
    + string (List.map (fun x -> x * 10) [ 1; 2 ])
