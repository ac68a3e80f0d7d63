module Scn.Program
// the first closure moved below the second, and its body changed

let Run () : string =
    string (List.map (fun x -> x * 10) [ 1; 2 ])
    + string (List.map (fun x -> x + 2) [ 1; 2 ])
