import * as tf from '@tensorflow/tfjs';
const m = tf.sequential({layers:[tf.layers.conv2d({inputShape:[8,8,1],filters:2,kernelSize:3})]});
console.log(m.layers.map(l=>l.name), m.inputLayers.map(l=>l.name), (m as any).model.layers.map((l:any)=>l.name), m.inputs[0].sourceLayer.name);
