module Scn.Program

// A module value computed through a closure that captures nothing: the startup code
// runs the closure once, and never again after an update.
let doubled = [ 1; 2; 3 ] |> List.map (fun v -> v * 3)

let Run () : string =
    sprintf "%A" doubled
