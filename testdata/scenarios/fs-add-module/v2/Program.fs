module App.Program

module Geometry =
    let area (w: int) (h: int) = w * h

    let perimeter (w: int) (h: int) = 2 * (w + h)

let describe (w: int) (h: int) : string =
    "rect " + string w + "x" + string h + " area " + string (Geometry.area w h)

let Run () : string =
    describe 3 4
