module Scn.Program

// A closure made on the first call and kept: it outlives every update.
let mutable saved : (int -> int) option = None

let make (k: int) (m: int) : int -> int =
    let f = fun (v: int) -> v + k * 2
    f

let Run () : string =
    if saved.IsNone then saved <- Some (make 5 100)
    sprintf "kept: %d, new: %d" (saved.Value 1) ((make 5 100) 1)
